import type { Db } from "../db/open-database.js";
import { writeTransaction } from "../db/write-transaction.js";

/** The SQL of recovery: per-e-shop cursors, the recovered-events counter, and key look-ups. */
export class RecoveryRepo {
  private readonly getCursor;
  private readonly putCursor;
  private readonly bump;
  private readonly hasKey;

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

  /** Where the e-shop's next pass starts (epoch ms), or null before its first complete pass. */
  cursor(eshopId: number): number | null {
    return this.getCursor.get(eshopId)?.from_ms ?? null;
  }

  /** Records a complete pass: the next start (never moved back) and how many events it stored. */
  saveCursor(eshopId: number, fromMs: number, now: number, recovered: number): void {
    this.putCursor.run(eshopId, fromMs, now, recovered);
  }

  /** Adds stored events to the per-type counter; call inside the transaction that stored them. */
  countRecovered(byEvent: ReadonlyMap<string, number>): void {
    for (const [event, n] of byEvent) if (n > 0) this.bump.run(event, n);
  }

  /** True when an event with this dedupe key is stored (a unique-index seek; no write lock). */
  has(dedupeKey: Buffer): boolean {
    return this.hasKey.get(dedupeKey) !== undefined;
  }

  /** Events stored by recovery, by type, ever (the metric). */
  counts(): { event: string; n: number }[] {
    return this.db.prepare("SELECT event, n FROM recovered_event_counts ORDER BY event").all() as { event: string; n: number }[];
  }

  /** Runs `fn` in one IMMEDIATE transaction (short: one chunk of events), timed as a write-lock hold. */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, "recovery", fn)();
  }

  /**
   * The e-shops whose stored events or cursors name them (for the shared SHOPTET_API_TOKEN): a
   * skip-scan of the (eshop_id, id) index, one seek per e-shop instead of a walk over every event.
   */
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
}
