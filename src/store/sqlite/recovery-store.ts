import type { Db } from "../../db/open-database.js";
import { writeTransaction } from "../../db/write-transaction.js";
import type { RecoveredCandidate, RecoveryStore } from "../../recovery/recovery-store.js";

/** RecoveryStore on SQLite: recovery_cursors, recovered_event_counts, and look-ups in events. */
export class SqliteRecoveryStore implements RecoveryStore {
  private readonly getCursor;
  private readonly putCursor;
  private readonly bump;
  private readonly hasKey;
  /** The newer-event look-up, one statement per number of event types (prepared when first asked). */
  private readonly newer = new Map<number, { get(...params: unknown[]): unknown }>();

  constructor(private readonly db: Db) {
    this.getCursor = db.prepare<[number], { from_ms: number }>("SELECT from_ms FROM recovery_cursors WHERE eshop_id = ?");
    this.putCursor = db.prepare<[number, number, number, number]>(
      `INSERT INTO recovery_cursors (eshop_id, from_ms, last_run, recovered) VALUES (?, ?, ?, ?)
       ON CONFLICT (eshop_id) DO UPDATE SET from_ms = max(from_ms, excluded.from_ms), last_run = excluded.last_run,
                                             recovered = recovered + excluded.recovered`,
    );
    this.bump = db.prepare<[string, number]>(
      "INSERT INTO recovered_event_counts (event, n) VALUES (?, ?) ON CONFLICT (event) DO UPDATE SET n = n + excluded.n",
    );
    this.hasKey = db.prepare<[Buffer], { one: number }>("SELECT 1 AS one FROM events WHERE dedupe_key = ?");
  }

  cursor(eshopId: number): number | null {
    return this.getCursor.get(eshopId)?.from_ms ?? null;
  }

  saveCursor(eshopId: number, fromMs: number, now: number, recovered: number): void {
    this.putCursor.run(eshopId, fromMs, now, recovered);
  }

  countRecovered(byEvent: ReadonlyMap<string, number>): void {
    for (const [event, n] of byEvent) if (n > 0) this.bump.run(event, n);
  }

  /** A unique-index seek. */
  has(dedupeKey: Buffer): boolean {
    return this.hasKey.get(dedupeKey) !== undefined;
  }

  counts(): { event: string; n: number }[] {
    return this.db.prepare("SELECT event, n FROM recovered_event_counts ORDER BY event").all() as { event: string; n: number }[];
  }

  /** IMMEDIATE, timed as a write-lock hold labelled "recovery" (see write-transaction.ts). */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, "recovery", fn)();
  }

  /** A skip-scan of the (eshop_id, id) index, one seek per e-shop instead of a walk over every event. */
  knownEshops(): number[] {
    const rows = this.db
      .prepare(
        `WITH RECURSIVE shop(id) AS (
           SELECT min(eshop_id) FROM events
           UNION ALL
           SELECT (SELECT min(eshop_id) FROM events WHERE eshop_id > shop.id) FROM shop WHERE shop.id IS NOT NULL
         )
         SELECT id FROM shop WHERE id IS NOT NULL
         UNION SELECT eshop_id FROM recovery_cursors`,
      )
      .all() as { id: number }[];
    return rows.map((r) => r.id);
  }

  /** One primary-key look-up per id. */
  recoveredAmong(ids: readonly number[]): Set<number> {
    const rows = this.db
      .prepare(`SELECT id FROM events WHERE id IN (${ids.map(() => "?").join(",")}) AND source = 'recovered'`)
      .all(...ids) as { id: number }[];
    return new Set(rows.map((r) => r.id));
  }

  /** An index seek (events_by_stock_instance). */
  hasNewer(e: RecoveredCandidate, events: readonly string[]): boolean {
    let s = this.newer.get(events.length);
    if (!s) {
      // `event GLOB 'stock:*'` lets SQLite use the partial index over stock events.
      s = this.db.prepare(
        `SELECT 1 FROM events
          WHERE eshop_id = ? AND event_instance = ? AND event IN (${Array(events.length).fill("?").join(",")}) AND event GLOB 'stock:*'
            AND id <> ? AND (event_created_ms > ? OR (event_created_ms = ? AND id < ?))
          LIMIT 1`,
      );
      this.newer.set(events.length, s);
    }
    return s.get(e.eshopId, e.eventInstance, ...events, e.id, e.eventCreatedMs, e.eventCreatedMs, e.id) !== undefined;
  }
}
