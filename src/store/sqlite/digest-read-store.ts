import type { Db } from "../../db/open-database.js";
import type { DigestAlertRow, DigestReadStore } from "../../digest/digest-store.js";
import type { DeadDeliveryRow } from "../../digest/digest-types.js";

interface DeadRow {
  id: number;
  channel: string;
  kind: string;
  summary: string;
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

/**
 * DigestReadStore on SQLite, for one scope of e-shops (applied in SQL): the tables of migrations
 * 0001, 0003 and 0004 and the indexes of 0005.
 */
export class SqliteDigestReadStore implements DigestReadStore {
  private readonly types;
  private readonly count;
  private readonly inPeriod;
  private readonly open;
  private readonly deadRows;
  private readonly deadCount;
  private readonly deadNow;
  private readonly eshopParams: readonly number[];

  constructor(db: Db, eshops: readonly number[] | null) {
    const eshopSql = (column: string) => (eshops === null ? "" : ` AND ${column} IN (${eshops.map(() => "?").join(", ")})`);
    this.eshopParams = eshops ?? [];
    // Every stored event type, by hopping from one type to the next in the index (a few dozen seeks,
    // not a scan); then one covering range count per type. Much faster than GROUP BY over a busy
    // period, which would sort every event of it.
    this.types = db.prepare<[], string>(
      `WITH RECURSIVE t(e) AS (
         SELECT min(event) FROM events
         UNION ALL
         SELECT (SELECT min(event) FROM events WHERE event > t.e) FROM t WHERE t.e IS NOT NULL)
       SELECT e FROM t WHERE e IS NOT NULL`,
    ).pluck();
    this.count = db.prepare<unknown[], number>(
      `SELECT count(*) FROM events WHERE event = ? AND received_at >= ? AND received_at < ?${eshopSql("eshop_id")}`,
    ).pluck();
    this.inPeriod = db.prepare<unknown[], DigestAlertRow>(
      `SELECT rule, kind, severity, eshop_id AS eshopId, subject, opened_at AS openedAt, resolved_at AS resolvedAt FROM alerts
        WHERE ((opened_at >= ? AND opened_at < ?) OR (resolved_at >= ? AND resolved_at < ?))${eshopSql("eshop_id")}
        ORDER BY id`,
    );
    this.open = db.prepare<unknown[], DigestAlertRow & { acknowledgedBy: string | null }>(
      `SELECT rule, kind, severity, eshop_id AS eshopId, subject, opened_at AS openedAt, resolved_at AS resolvedAt,
              acknowledged_by AS acknowledgedBy FROM alerts
        WHERE state = 'open'${eshopSql("eshop_id")}`,
    );
    this.deadRows = db.prepare<[number, number, number], DeadRow>(
      `SELECT id, channel, kind, summary, attempts, last_error, updated_at FROM outbox
        WHERE status = 'dead' AND updated_at >= ? AND updated_at < ?
        ORDER BY updated_at DESC, id DESC LIMIT ?`,
    );
    this.deadCount = db.prepare<[number, number], { n: number }>(
      "SELECT count(*) AS n FROM outbox WHERE status = 'dead' AND updated_at >= ? AND updated_at < ?",
    );
    this.deadNow = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'dead'");
  }

  eventTypes(): string[] {
    return this.types.all();
  }

  eventCount(event: string, from: number, to: number): number {
    return this.count.get(event, from, to, ...this.eshopParams) ?? 0;
  }

  /** Streams the rows (a busy period has many). */
  alertsInPeriod(from: number, to: number): Iterable<DigestAlertRow> {
    return this.inPeriod.iterate(from, to, from, to, ...this.eshopParams);
  }

  openAlerts(): Iterable<DigestAlertRow & { acknowledgedBy: string | null }> {
    return this.open.iterate(...this.eshopParams);
  }

  deadDeliveries(from: number, to: number, limit: number): { total: number; deadNow: number; rows: DeadDeliveryRow[] } {
    const rows: DeadDeliveryRow[] = this.deadRows.all(from, to, limit).map((r) => ({
      id: r.id,
      channel: r.channel,
      kind: r.kind,
      summary: r.summary,
      attempts: r.attempts,
      lastError: r.last_error,
      at: r.updated_at,
    }));
    return { total: this.deadCount.get(from, to)?.n ?? 0, deadNow: this.deadNow.get()?.n ?? 0, rows };
  }
}
