import type { Db } from "../../db/open-database.js";
import { writeTransaction } from "../../db/write-transaction.js";
import type { BatchStep, DigestStart, RetentionStore } from "../../retention/retention-store.js";

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** RetentionStore on SQLite. Every statement is prepared when its method is called (once per prune). */
export class SqliteRetentionStore implements RetentionStore {
  constructor(private readonly db: Db) {}

  digestStarts(): DigestStart[] {
    return this.db
      .prepare<[], DigestStart>(
        `SELECT d.digest,
              coalesce((SELECT max(period_to) FROM digest_runs r WHERE r.digest = d.digest AND r.slot IS NOT NULL AND r.status IN ('queued', 'empty')),
                       (SELECT min(period_from) FROM digest_runs r WHERE r.digest = d.digest AND r.slot IS NOT NULL AND r.status = 'failed'),
                       (SELECT first_seen_at FROM digest_schedules s WHERE s.digest = d.digest)) AS start
         FROM (SELECT digest FROM digest_runs UNION SELECT digest FROM digest_schedules) d`,
      )
      .all();
  }

  async session(run: () => Promise<void>): Promise<void> {
    const db = this.db;
    // Deletes check no foreign key: the jobs → events and slack_incidents → slack_messages checks
    // would scan the whole child table for every deleted row (neither child column is indexed). The
    // picks below exclude every row something still points at; foreign_key_check confirms it at the end.
    const foreignKeys = db.pragma("foreign_keys", { simple: true }) as number;
    db.pragma("foreign_keys = OFF");
    // No checkpoint inside a batch's commit (they run between batches, without the lock). Each
    // commit still flushes its own pages (synchronous=FULL): with NORMAL, the daemon's flush before
    // each webhook answer had to write the prune's pages instead, and webhooks waited longer
    // (measured: p99 100 ms instead of 29 ms while pruning a million events).
    const autocheckpoint = db.pragma("wal_autocheckpoint", { simple: true }) as number;
    db.pragma("wal_autocheckpoint = 0");
    try {
      await run();
    } finally {
      if (foreignKeys) db.pragma("foreign_keys = ON");
      db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
      db.pragma("wal_checkpoint(PASSIVE)");
    }
    const broken = [...db.pragma("foreign_key_check(jobs)") as unknown[], ...db.pragma("foreign_key_check(slack_incidents)") as unknown[]];
    if (broken.length) throw new Error(`pruning left ${broken.length} rows pointing at deleted ones (a bug in stockwatch prune; please report it)`);
  }

  transaction(step: () => number): () => number {
    return writeTransaction(this.db, "prune", step);
  }

  checkpoint(): void {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  doneJobs(cutoff: number): BatchStep {
    // A done job is history; the index on (status, run_at) finds the old ones.
    const drop = this.db.prepare<[number, number]>("DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' AND run_at < ? LIMIT ?)");
    return (limit) => drop.run(cutoff, limit).changes;
  }

  events(periodCutoff: number): BatchStep | null {
    const db = this.db;
    const feedFloor = db.prepare<[], { floor: number | null }>("SELECT min(position) AS floor FROM cursors").get()?.floor ?? null;
    const lastOld = db
      .prepare<[number], { id: number }>("SELECT id FROM events WHERE received_at < ? ORDER BY received_at DESC, id DESC LIMIT 1")
      .get(periodCutoff)?.id;
    if (lastOld === undefined) return null;
    const maxId = feedFloor === null ? lastOld : Math.min(lastOld, feedFloor);
    // Events still pointed at: by any job left (unfinished, or finished but run late) or an open alert.
    const held = db
      .prepare<[number, number], { id: number }>(
        `SELECT event_id AS id FROM jobs WHERE event_id IS NOT NULL AND event_id <= ?
         UNION SELECT event_id FROM alerts WHERE state = 'open' AND event_id IS NOT NULL AND event_id <= ?`,
      )
      .all(maxId, maxId)
      .map((r) => r.id);
    const heldJson = JSON.stringify(held);
    const pick = db.prepare<[number, number, number, string, number], { id: number }>(
      `SELECT id FROM events
        WHERE id > ? AND id <= ? AND received_at < ?
          AND id NOT IN (SELECT value FROM json_each(?))
        ORDER BY id LIMIT ?`,
    );
    const drop = db.prepare<[string]>("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))");
    let after = 0;
    return (limit) => {
      const ids = pick.all(after, maxId, periodCutoff, heldJson, limit).map((r) => r.id);
      if (ids.length === 0) return 0;
      after = ids[ids.length - 1]!;
      return drop.run(JSON.stringify(ids)).changes;
    };
  }

  eventsKept(periodCutoff: number): number {
    return (this.db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM events WHERE received_at < ?").get(periodCutoff) ?? { n: 0 }).n;
  }

  sentDeliveries(cutoff: number): BatchStep {
    // Only sent rows: pending, retrying, dead and unconfigured ones are still somebody's business.
    // next_attempt_at (the last attempt) bounds the scan of the (status, next_attempt_at) index.
    const drop = this.db.prepare<[number, number, number]>(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE status = 'sent' AND next_attempt_at < ? AND coalesce(sent_at, updated_at) < ? LIMIT ?)`,
    );
    return (limit) => drop.run(cutoff, cutoff, limit).changes;
  }

  resolvedAlerts(periodCutoff: number): BatchStep {
    const db = this.db;
    const pick = db.prepare<[number, number], { id: number }>("SELECT id FROM alerts WHERE resolved_at < ? AND state = 'resolved' LIMIT ?");
    const dropIncidents = db.prepare<[string]>("DELETE FROM slack_incidents WHERE incident_key IN (SELECT 'alert:' || value FROM json_each(?))");
    const dropAlerts = db.prepare<[string]>("DELETE FROM alerts WHERE id IN (SELECT value FROM json_each(?))");
    return (limit) => {
      const ids = pick.all(periodCutoff, limit).map((r) => r.id);
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      dropIncidents.run(list);
      return dropAlerts.run(list).changes;
    };
  }

  orphanSlackMessages(cutoff: number): BatchStep {
    // A Slack message no incident points at any more cannot be updated again: its row can go.
    const drop = this.db.prepare<[number, number]>(
      `DELETE FROM slack_messages WHERE id IN (
         SELECT id FROM slack_messages WHERE updated_at < ?
            AND id NOT IN (SELECT slack_message_id FROM slack_incidents)
          LIMIT ?)`,
    );
    return (limit) => drop.run(cutoff, limit).changes;
  }

  cooldowns(cutoff: number): number {
    return this.db.prepare<[number]>("DELETE FROM alert_cooldowns WHERE last_fired_at < ?").run(cutoff).changes;
  }

  silences(periodCutoff: number): number | null {
    if (!tableExists(this.db, "silences")) return null;
    // Silences that ended before the cutoff, unless an alert still names one.
    return this.db
      .prepare<[number]>(
        `DELETE FROM silences WHERE coalesce(expired_at, ends_at) < ?
            AND id NOT IN (SELECT silenced_by FROM alerts WHERE silenced_by IS NOT NULL)`,
      )
      .run(periodCutoff).changes;
  }

  movements(periodCutoff: number): BatchStep {
    const drop = this.db.prepare<[number, number]>(
      `DELETE FROM stock_movements WHERE (eshop_id, stock_id, movement_id) IN (
         SELECT eshop_id, stock_id, movement_id FROM stock_movements WHERE change_time < ? LIMIT ?)`,
    );
    return (limit) => drop.run(periodCutoff, limit).changes;
  }

  levelChanges(cutoff: number): BatchStep {
    const drop = this.db.prepare<{ cut: number; limit: number }>(
      `DELETE FROM stock_level_changes WHERE id IN (
         SELECT c.id FROM stock_level_changes c
          WHERE c.at < $cut
            AND c.id <> (SELECT n.id FROM stock_level_changes n
                          WHERE n.eshop_id = c.eshop_id AND n.code = c.code AND n.at < $cut
                          ORDER BY n.at DESC, n.id DESC LIMIT 1)
          LIMIT $limit)`,
    );
    return (limit) => drop.run({ cut: cutoff, limit }).changes;
  }

  dailySales(beforeDay: number): BatchStep | null {
    if (!tableExists(this.db, "forecast_daily")) return null;
    // One row per product and day (millions in a large shop): in batches along the primary key,
    // each continuing after the last product it reached (no index on the day alone).
    const pick = this.db.prepare<[number, string, number, number], { eshop_id: number; code: string; day: number }>(
      `SELECT eshop_id, code, day FROM forecast_daily
        WHERE (eshop_id, code) >= (?, ?) AND day < ? ORDER BY eshop_id, code, day LIMIT ?`,
    );
    const drop = this.db.prepare<[string]>(
      `DELETE FROM forecast_daily WHERE (eshop_id, code, day) IN
         (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))`,
    );
    let from: [number, string] = [-1, ""];
    return (limit) => {
      const rows = pick.all(from[0], from[1], beforeDay, limit);
      if (rows.length === 0) return 0;
      const last = rows[rows.length - 1]!;
      from = [last.eshop_id, last.code];
      return drop.run(JSON.stringify(rows.map((r) => [r.eshop_id, r.code, r.day]))).changes;
    };
  }

  digestRuns(cutoff: number): number {
    return this.db
      .prepare<[number]>(
        `DELETE FROM digest_runs
          WHERE created_at < ?
            AND NOT (slot IS NOT NULL AND status IN ('queued', 'empty')
                     AND slot = (SELECT max(x.slot) FROM digest_runs x
                                  WHERE x.digest = digest_runs.digest AND x.slot IS NOT NULL AND x.status IN ('queued', 'empty')))
            AND NOT (slot IS NOT NULL AND status = 'failed'
                     AND NOT EXISTS (SELECT 1 FROM digest_runs x
                                      WHERE x.digest = digest_runs.digest AND x.slot > digest_runs.slot AND x.status IN ('queued', 'empty')))`,
      )
      .run(cutoff).changes;
  }
}
