import type { Db } from "../../db/open-database.js";
import { writeTransaction } from "../../db/write-transaction.js";
import type { Movement } from "../../shoptet/shoptet-types.js";
import type { ProductState, LevelChangeRecord, AmountState } from "../../stock/stock-state.js";
import type { BetaEventRow, StockCursor, StockStore } from "../../stock/stock-store.js";
import type { Level } from "../../stock/stock-types.js";

interface ProductRow {
  eshop_id: number;
  code: string;
  guid: string | null;
  name: string | null;
  quantity_milli: number;
  quantity_time: number | null;
  quantity_movement_id: number | null;
  min_milli: number | null;
  min_checked_at: number | null;
  level: string;
  level_since: number;
  estimated: number;
  level_event_ms: number | null;
  updated_at: number;
}

function stateFromRow(row: ProductRow, perStock: Map<number, AmountState>): ProductState {
  return {
    eshopId: row.eshop_id,
    code: row.code,
    guid: row.guid,
    name: row.name,
    quantityMilli: row.quantity_milli,
    quantityTime: row.quantity_time,
    quantityMovementId: row.quantity_movement_id,
    minMilli: row.min_milli,
    minCheckedAt: row.min_checked_at,
    level: row.level as Level,
    levelSince: row.level_since,
    estimated: row.estimated === 1,
    levelEventMs: row.level_event_ms,
    perStock,
    updatedAt: row.updated_at,
  };
}

/** StockStore on SQLite: the stock tables, and the stored stock events it looks up. */
export class SqliteStockStore implements StockStore {
  private readonly productGet;
  private readonly amountsGet;
  private readonly productUpsert;
  private readonly amountUpsert;
  private readonly amountDelete;
  private readonly movementInsert;
  private readonly cursorGet;
  private readonly cursorAdvance;
  private readonly levelInsert;
  private readonly codesByGuid;
  private readonly newestBeta;
  private readonly firstWebhook;
  private readonly productsIn;
  private readonly amountsIn;
  private readonly detailsIn;

  constructor(readonly db: Db) {
    this.productGet = db.prepare<[number, string], ProductRow>("SELECT * FROM stock_products WHERE eshop_id = ? AND code = ?");
    this.amountsGet = db.prepare<[number, string], { stock_id: number; amount_milli: number; changed_at: number | null }>(
      "SELECT stock_id, amount_milli, changed_at FROM stock_amounts WHERE eshop_id = ? AND code = ?",
    );
    this.productUpsert = db.prepare(
      `INSERT INTO stock_products (eshop_id, code, guid, name, quantity_milli, quantity_time, quantity_movement_id, min_milli,
                                   min_checked_at, level, level_since, estimated, level_event_ms, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (eshop_id, code) DO UPDATE SET
         guid = excluded.guid, name = excluded.name, quantity_milli = excluded.quantity_milli,
         quantity_time = excluded.quantity_time, quantity_movement_id = excluded.quantity_movement_id, min_milli = excluded.min_milli, min_checked_at = excluded.min_checked_at,
         level = excluded.level, level_since = excluded.level_since, estimated = excluded.estimated,
         level_event_ms = excluded.level_event_ms, updated_at = excluded.updated_at`,
    );
    this.amountUpsert = db.prepare<[number, string, number, number, number | null, number]>(
      `INSERT INTO stock_amounts (eshop_id, code, stock_id, amount_milli, changed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (eshop_id, code, stock_id) DO UPDATE SET
         amount_milli = excluded.amount_milli, changed_at = excluded.changed_at, updated_at = excluded.updated_at`,
    );
    this.amountDelete = db.prepare<[number, string, number]>("DELETE FROM stock_amounts WHERE eshop_id = ? AND code = ? AND stock_id = ?");
    this.movementInsert = db.prepare<
      [number, number, number, string, number | null, number | null, number | null, string | null, number, number]
    >(
      `INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, actual_amount_milli,
                                    sum_amount_milli, changed_by, change_time, applied_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.cursorGet = db.prepare<[number, number], { last_id: number; reads: number; last_read_at: number | null }>(
      "SELECT last_id, reads, last_read_at FROM stock_cursors WHERE eshop_id = ? AND stock_id = ?",
    );
    this.cursorAdvance = db.prepare<[number, number, number, number, number | null, number]>(
      `INSERT INTO stock_cursors (eshop_id, stock_id, last_id, reads, last_read_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (eshop_id, stock_id) DO UPDATE SET
         last_id = max(last_id, excluded.last_id), reads = reads + excluded.reads,
         last_read_at = coalesce(excluded.last_read_at, last_read_at), updated_at = excluded.updated_at`,
    );
    this.levelInsert = db.prepare(
      `INSERT INTO stock_level_changes (eshop_id, code, from_level, to_level, from_quantity_milli, quantity_milli, at,
                                        cause_event, cause_event_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.codesByGuid = db.prepare<[number, string], { code: string }>(
      "SELECT code FROM stock_products WHERE eshop_id = ? AND guid = ? ORDER BY code",
    );
    this.newestBeta = db.prepare<[number, string], { id: number; event: string; event_created_ms: number | null }>(
      `SELECT id, event, event_created_ms FROM events
        WHERE eshop_id = ? AND event_instance = ?
          AND event IN ('stock:soldOut', 'stock:inStock', 'stock:minStockSupplyReached')
          AND event GLOB 'stock:*' -- lets SQLite use the partial index events_by_stock_instance
        ORDER BY coalesce(event_created_ms, received_at) DESC, id DESC LIMIT 1`,
    );
    this.productsIn = db.prepare<[number, string], ProductRow>(
      "SELECT * FROM stock_products WHERE eshop_id = ? AND code IN (SELECT value FROM json_each(?))",
    );
    this.amountsIn = db.prepare<[number, string], { code: string; stock_id: number; amount_milli: number; changed_at: number | null }>(
      "SELECT code, stock_id, amount_milli, changed_at FROM stock_amounts WHERE eshop_id = ? AND code IN (SELECT value FROM json_each(?))",
    );
    this.detailsIn = db.prepare<[number, string], { code: string; guid: string | null; checked: number | null }>(
      "SELECT code, guid, min_checked_at AS checked FROM stock_products WHERE eshop_id = ? AND code IN (SELECT value FROM json_each(?))",
    );
    this.firstWebhook = db.prepare<[number, string], { created: number | null; received: number | null }>(
      `SELECT min(event_created_ms) AS created, min(received_at) AS received FROM events
        WHERE eshop_id = ? AND event_instance = ? AND event = 'stock:movement' AND event GLOB 'stock:*'`,
    );
  }

  /** Runs `fn` in one immediate write transaction (timed: see write-transaction.ts). */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, "stock", fn)();
  }

  getProduct(eshopId: number, code: string): ProductState | null {
    const row = this.productGet.get(eshopId, code);
    if (!row) return null;
    const perStock = new Map<number, AmountState>();
    for (const a of this.amountsGet.all(eshopId, code)) perStock.set(a.stock_id, { amountMilli: a.amount_milli, changedAt: a.changed_at });
    return stateFromRow(row, perStock);
  }

  /** Many products in two queries (a page of movements touches up to 1000). Unknown codes are absent. */
  getProducts(eshopId: number, codes: readonly string[]): Map<string, ProductState> {
    const out = new Map<string, ProductState>();
    if (codes.length === 0) return out;
    const list = JSON.stringify(codes);
    const amounts = new Map<string, Map<number, AmountState>>();
    for (const a of this.amountsIn.all(eshopId, list)) {
      let m = amounts.get(a.code);
      if (!m) amounts.set(a.code, (m = new Map()));
      m.set(a.stock_id, { amountMilli: a.amount_milli, changedAt: a.changed_at });
    }
    for (const row of this.productsIn.all(eshopId, list)) out.set(row.code, stateFromRow(row, amounts.get(row.code) ?? new Map()));
    return out;
  }

  /** For each known code: its GUID and when its details were last read (null: never). */
  detailState(eshopId: number, codes: readonly string[]): Map<string, { guid: string | null; checkedAt: number | null }> {
    const out = new Map<string, { guid: string | null; checkedAt: number | null }>();
    if (codes.length === 0) return out;
    for (const r of this.detailsIn.all(eshopId, JSON.stringify(codes))) out.set(r.code, { guid: r.guid, checkedAt: r.checked });
    return out;
  }

  /** Codes of the variants we know for a product GUID. */
  codesOfGuid(eshopId: number, guid: string): string[] {
    return this.codesByGuid.all(eshopId, guid).map((r) => r.code);
  }

  /** Writes a product's state; amounts are diffed against `previous` so only changed rows are written. */
  saveProduct(previous: ProductState | null, next: ProductState): void {
    this.productUpsert.run(
      next.eshopId,
      next.code,
      next.guid,
      next.name,
      next.quantityMilli,
      next.quantityTime,
      next.quantityMovementId,
      next.minMilli,
      next.minCheckedAt,
      next.level,
      next.levelSince,
      next.estimated ? 1 : 0,
      next.levelEventMs,
      next.updatedAt,
    );
    for (const [stockId, a] of next.perStock) {
      const before = previous?.perStock.get(stockId);
      if (before && before.amountMilli === a.amountMilli && before.changedAt === a.changedAt) continue;
      this.amountUpsert.run(next.eshopId, next.code, stockId, a.amountMilli, a.changedAt, next.updatedAt);
    }
    if (previous) {
      for (const stockId of previous.perStock.keys()) {
        if (!next.perStock.has(stockId)) this.amountDelete.run(next.eshopId, next.code, stockId);
      }
    }
  }

  /** Records a movement; false when this id was applied before (so the caller skips it). */
  insertMovement(eshopId: number, stockId: number, m: Movement, now: number): boolean {
    return (
      this.movementInsert.run(
        eshopId,
        stockId,
        m.id,
        m.productCode,
        m.amountChangeMilli,
        m.actualAmountMilli,
        m.sumAmountMilli,
        m.changedBy,
        m.changeTime ?? now,
        now,
      ).changes === 1
    );
  }

  getCursor(eshopId: number, stockId: number): StockCursor | null {
    const row = this.cursorGet.get(eshopId, stockId);
    return row ? { lastId: row.last_id, reads: row.reads, lastReadAt: row.last_read_at } : null;
  }

  /** Moves the cursor forward (never back) and counts a read when `read` is set. */
  advanceCursor(eshopId: number, stockId: number, lastId: number, now: number, read: boolean): void {
    this.cursorAdvance.run(eshopId, stockId, lastId, read ? 1 : 0, read ? now : null, now);
  }

  recordLevelChange(r: LevelChangeRecord): void {
    this.levelInsert.run(r.eshopId, r.code, r.fromLevel, r.toLevel, r.fromQuantityMilli, r.quantityMilli, r.at, r.cause.event, r.cause.eventId);
  }

  /** The newest beta stock event stored for a product code (by Shoptet's eventCreated). */
  newestBetaEvent(eshopId: number, code: string): BetaEventRow | null {
    const row = this.newestBeta.get(eshopId, code);
    return row ? { id: row.id, event: row.event, eventCreatedMs: row.event_created_ms } : null;
  }

  /** When the first stored `stock:movement` webhook of a warehouse was created (Shoptet time) and received. */
  firstMovementWebhook(eshopId: number, stockId: number): { createdMs: number | null; receivedMs: number | null } {
    const row = this.firstWebhook.get(eshopId, String(stockId));
    return { createdMs: row?.created ?? null, receivedMs: row?.received ?? null };
  }
}
