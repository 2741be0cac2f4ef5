import Database from "better-sqlite3";
import { dedupeKeyOf } from "../../../src/receiver/webhook-envelope.js";
import type { Notification } from "./sender.js";

/** What was found in a stockwatch database after a run. */
export interface DbReport {
  integrity: string;
  foreignKeyProblems: number;
  events: number;
  /** Acknowledged notifications whose row is missing, or stored under another id than the 200 said. */
  lostAcknowledged: string[];
  /** Dedupe keys, or sets of the four envelope fields, stored more than once (the schema forbids the first; checked anyway). */
  duplicates: number;
  jobs: Record<string, number>;
  outbox: Record<string, number>;
  /** The event-rules feed's position and the newest event id (equal when every event was evaluated). */
  feedPosition: number | null;
  maxEventId: number;
}

function byStatus(db: Database.Database, table: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of db.prepare(`SELECT status, count(*) AS n FROM ${table} GROUP BY status`).all() as { status: string; n: number }[]) {
    out[r.status] = r.n;
  }
  return out;
}

/** Opens the file read-only (the daemon may still run: WAL lets a reader in) and checks it. */
export function inspectDb(dbPath: string, acknowledged: readonly Notification[] = []): DbReport {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    const integrity = (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
    const foreignKeyProblems = (db.pragma("foreign_key_check") as unknown[]).length;
    // Looked up by the stored key (one index seek each: a soak acknowledges 100,000 and more), then
    // the fields compared; and, separately, any four envelope fields stored under two keys.
    const find = db.prepare<[Buffer], { id: number; eshop_id: number; event: string; event_instance: string; event_created: string }>(
      "SELECT id, eshop_id, event, event_instance, event_created FROM events WHERE dedupe_key = ?",
    );
    const lostAcknowledged: string[] = [];
    for (const n of acknowledged) {
      const e = n.envelope;
      const row = find.get(dedupeKeyOf(e));
      const same = row && row.eshop_id === e.eshopId && row.event === e.event && row.event_instance === e.eventInstance && row.event_created === e.eventCreated;
      if (!same || row.id !== n.acked?.id) {
        lostAcknowledged.push(`${n.tag}: answered id ${n.acked?.id}, stored ${row ? `id ${row.id}` : "nothing"}`);
      }
    }
    const duplicates =
      (db.prepare("SELECT count(*) AS n FROM (SELECT dedupe_key FROM events GROUP BY dedupe_key HAVING count(*) > 1)").get() as { n: number }).n +
      (
        db
          .prepare(
            "SELECT count(*) AS n FROM (SELECT 1 FROM events GROUP BY eshop_id, event, event_instance, event_created HAVING count(*) > 1)",
          )
          .get() as { n: number }
      ).n;
    const feed = db.prepare("SELECT position FROM cursors WHERE name = 'event-rules'").get() as { position: number } | undefined;
    return {
      integrity,
      foreignKeyProblems,
      events: (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n,
      lostAcknowledged,
      duplicates,
      jobs: byStatus(db, "jobs"),
      outbox: byStatus(db, "outbox"),
      feedPosition: feed?.position ?? null,
      maxEventId: (db.prepare("SELECT coalesce(max(id), 0) AS n FROM events").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

/** Work that has not reached an end state: jobs pending/running, outbox rows pending/sending/retrying. */
export function unfinished(report: Pick<DbReport, "jobs" | "outbox">): number {
  const j = report.jobs;
  const o = report.outbox;
  return (j.pending ?? 0) + (j.running ?? 0) + (o.pending ?? 0) + (o.sending ?? 0) + (o.retrying ?? 0);
}

/** Runs a read-only query against the file. */
export function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export { waitFor } from "../../helpers/wait-for.js";
