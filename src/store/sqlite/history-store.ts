import type { Db } from "../../db/open-database.js";
import type { RuleEvent } from "../../rules/evaluate-event.js";
import type {
  HistoryStore,
  LastLevelRow,
  LastMovementRow,
  LevelChangeRow,
  MovementRow,
  ProductMetaRow,
} from "../../rules/history-store.js";

/** HistoryStore on SQLite: events, stock_products, stock_movements and stock_level_changes, read with raw rows. */
export class SqliteHistoryStore implements HistoryStore {
  constructor(private readonly db: Db) {}

  events(from: number, to: number): Iterable<RuleEvent> {
    if (!this.hasTable("events")) return [];
    const stmt = this.db
      .prepare<[number, number], unknown[]>(
        `SELECT id, eshop_id, event, event_instance, received_at FROM events
        WHERE received_at >= ? AND received_at <= ? ORDER BY received_at, id`,
      )
      .raw(true);
    return mapIter(stmt.iterate(from, to), (r) => ({
      id: r[0] as number,
      eshopId: r[1] as number,
      event: r[2] as string,
      eventInstance: r[3] as string,
      receivedAt: r[4] as number,
    }));
  }

  countEvents(from: number, to: number): number {
    if (!this.hasTable("events")) return 0;
    return (this.db.prepare("SELECT count(*) AS n FROM events WHERE received_at >= ? AND received_at <= ?").get(from, to) as { n: number }).n;
  }

  productMeta(): Iterable<ProductMetaRow> {
    if (!this.hasTable("stock_products")) return [];
    return this.db.prepare("SELECT eshop_id, code, name, min_milli FROM stock_products").raw(true).iterate() as Iterable<ProductMetaRow>;
  }

  lastMovementsBefore(before: number): Iterable<LastMovementRow> {
    if (!this.hasTable("stock_movements")) return [];
    return this.db
      .prepare(
        `SELECT eshop_id, code, stock_id, actual_amount_milli, sum_amount_milli, max(change_time) FROM stock_movements
          WHERE change_time < ? GROUP BY eshop_id, code, stock_id`,
      )
      .raw(true)
      .iterate(before) as Iterable<LastMovementRow>;
  }

  lastLevelsBefore(before: number): Iterable<LastLevelRow> {
    if (!this.hasTable("stock_level_changes")) return [];
    return this.db
      .prepare(`SELECT eshop_id, code, quantity_milli, to_level, max(at) FROM stock_level_changes WHERE at < ? GROUP BY eshop_id, code`)
      .raw(true)
      .iterate(before) as Iterable<LastLevelRow>;
  }

  movements(from: number, to: number): Iterable<MovementRow> {
    if (!this.hasTable("stock_movements")) return [];
    return this.db
      .prepare(
        `SELECT change_time, eshop_id, code, stock_id, actual_amount_milli, sum_amount_milli FROM stock_movements
            WHERE change_time >= ? AND change_time <= ? ORDER BY change_time, eshop_id, stock_id, movement_id`,
      )
      .raw(true)
      .iterate(from, to) as Iterable<MovementRow>;
  }

  levelChanges(from: number, to: number): Iterable<LevelChangeRow> {
    if (!this.hasTable("stock_level_changes")) return [];
    return this.db
      .prepare(
        `SELECT at, eshop_id, code, quantity_milli, to_level, cause_event, cause_event_id FROM stock_level_changes
            WHERE at >= ? AND at <= ? ORDER BY at, id`,
      )
      .raw(true)
      .iterate(from, to) as Iterable<LevelChangeRow>;
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }
}

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of it) yield f(a);
}
