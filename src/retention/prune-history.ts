import type { Db } from "../db/open-database.js";
import type { PruneRequest, PruneStats } from "./prune-types.js";
import { nextBatchSize, writeTransaction } from "../db/write-transaction.js";

const DAY_MS = 86_400_000;

export type { PruneRequest, PruneStats } from "./prune-types.js";

const DEFAULT_FORECAST_WINDOW_DAYS = 365;
/** A PASSIVE checkpoint (no lock) after this many batches keeps the -wal file from growing when no daemon runs. */
const CHECKPOINT_EVERY_BATCHES = 20;

function tableExists(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Deletes history older than the cutoff in short batches (each its own write transaction, with a
 * pause between), so a running daemon keeps receiving webhooks meanwhile. Never runs VACUUM: the
 * freed pages are reused by new rows; shrinking the file is the operator's call.
 */
export async function pruneHistory(request: PruneRequest): Promise<PruneStats> {
  const { db, now } = request;
  const maxBatch = Math.max(1, request.batchSize ?? 5000);
  // Adapts to what a batch costs here (indexes, row sizes, the disk) to keep each one short.
  let batchSize = Math.min(500, maxBatch);
  const pauseMs = request.pauseMs ?? 5;
  const cutoff = now - request.olderThanMs;
  const stats: PruneStats = {
    cutoff,
    periodCutoff: cutoff,
    heldForDigest: null,
    events: 0,
    eventsKept: 0,
    jobs: 0,
    deliveries: 0,
    alerts: 0,
    slackMessages: 0,
    cooldowns: 0,
    silences: 0,
    movements: 0,
    levelChanges: 0,
    digestRuns: 0,
    dailySales: 0,
    batches: 0,
    longestHoldMs: 0,
  };

  // A digest's next period starts where its last successful scheduled run ended (or, before any,
  // at its oldest failed run, or when it was first scheduled): keep everything from there.
  const digestStarts = db
    .prepare<[], { digest: string; start: number | null }>(
      `SELECT d.digest,
              coalesce((SELECT max(period_to) FROM digest_runs r WHERE r.digest = d.digest AND r.slot IS NOT NULL AND r.status IN ('queued', 'empty')),
                       (SELECT min(period_from) FROM digest_runs r WHERE r.digest = d.digest AND r.slot IS NOT NULL AND r.status = 'failed'),
                       (SELECT first_seen_at FROM digest_schedules s WHERE s.digest = d.digest)) AS start
         FROM (SELECT digest FROM digest_runs UNION SELECT digest FROM digest_schedules) d`,
    )
    .all();
  const considered = request.digests ? new Set(request.digests) : null;
  for (const d of digestStarts) {
    if (considered && !considered.has(d.digest)) continue;
    if (d.start !== null && d.start < stats.periodCutoff) {
      stats.periodCutoff = d.start;
      stats.heldForDigest = d.digest;
    }
  }
  const periodCutoff = stats.periodCutoff;
  const windowDays = request.forecastWindowDays ?? DEFAULT_FORECAST_WINDOW_DAYS;
  const forecastCutoff = Math.min(periodCutoff, now - windowDays * DAY_MS);

  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, pauseMs));
  /** Runs `step` (one batch, returns rows deleted) until a batch comes back short. */
  const inBatches = async (step: () => number): Promise<number> => {
    let total = 0;
    const tx = writeTransaction(db, "prune", step);
    for (;;) {
      const limit = batchSize;
      const started = performance.now();
      const n = tx();
      const ms = performance.now() - started;
      stats.longestHoldMs = Math.max(stats.longestHoldMs, ms);
      batchSize = nextBatchSize(limit, n, ms, { min: 1, max: maxBatch });
      stats.batches++;
      total += n;
      if (n < limit) return total;
      if (stats.batches % CHECKPOINT_EVERY_BATCHES === 0) db.pragma("wal_checkpoint(PASSIVE)");
      await pause();
    }
  };

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
    await pruneRows();
  } finally {
    if (foreignKeys) db.pragma("foreign_keys = ON");
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    db.pragma("wal_checkpoint(PASSIVE)");
  }
  const broken = [...db.pragma("foreign_key_check(jobs)") as unknown[], ...db.pragma("foreign_key_check(slack_incidents)") as unknown[]];
  if (broken.length) throw new Error(`pruning left ${broken.length} rows pointing at deleted ones (a bug in stockwatch prune; please report it)`);
  return stats;

  async function pruneRows(): Promise<void> {
    // ---- finished jobs, then events ----------------------------------------------------------
    // A done job is history; the index on (status, run_at) finds the old ones.
    const dropDoneJobs = db.prepare<[number, number]>(
      "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status = 'done' AND run_at < ? LIMIT ?)",
    );
    stats.jobs = await inBatches(() => dropDoneJobs.run(cutoff, batchSize).changes);

    const feedFloor = db.prepare<[], { floor: number | null }>("SELECT min(position) AS floor FROM cursors").get()?.floor ?? null;
    const lastOld = db
      .prepare<[number], { id: number }>("SELECT id FROM events WHERE received_at < ? ORDER BY received_at DESC, id DESC LIMIT 1")
      .get(periodCutoff)?.id;
    if (lastOld !== undefined) {
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
      const dropEvents = db.prepare<[string]>("DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))");
      let after = 0;
      stats.events = await inBatches(() => {
        const ids = pick.all(after, maxId, periodCutoff, heldJson, batchSize).map((r) => r.id);
        if (ids.length === 0) return 0;
        after = ids[ids.length - 1]!;
        return dropEvents.run(JSON.stringify(ids)).changes;
      });
      stats.eventsKept = (
        db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM events WHERE received_at < ?").get(periodCutoff) ?? { n: 0 }
      ).n;
    }

    // ---- deliveries ---------------------------------------------------------------------------
    // Only sent rows: pending, retrying, dead and unconfigured ones are still somebody's business.
    // next_attempt_at (the last attempt) bounds the scan of the (status, next_attempt_at) index.
    const dropSent = db.prepare<[number, number, number]>(
      `DELETE FROM outbox WHERE id IN (
         SELECT id FROM outbox WHERE status = 'sent' AND next_attempt_at < ? AND coalesce(sent_at, updated_at) < ? LIMIT ?)`,
    );
    stats.deliveries = await inBatches(() => dropSent.run(cutoff, cutoff, batchSize).changes);

    // ---- alerts and their Slack threads -------------------------------------------------------
    const pickAlerts = db.prepare<[number, number], { id: number }>(
      "SELECT id FROM alerts WHERE resolved_at < ? AND state = 'resolved' LIMIT ?",
    );
    const dropIncidents = db.prepare<[string]>(
      "DELETE FROM slack_incidents WHERE incident_key IN (SELECT 'alert:' || value FROM json_each(?))",
    );
    const dropAlerts = db.prepare<[string]>("DELETE FROM alerts WHERE id IN (SELECT value FROM json_each(?))");
    stats.alerts = await inBatches(() => {
      const ids = pickAlerts.all(periodCutoff, batchSize).map((r) => r.id);
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      dropIncidents.run(list);
      return dropAlerts.run(list).changes;
    });
    // A Slack message no incident points at any more cannot be updated again: its row can go.
    const dropMessages = db.prepare<[number, number]>(
      `DELETE FROM slack_messages WHERE id IN (
         SELECT id FROM slack_messages WHERE updated_at < ?
            AND id NOT IN (SELECT slack_message_id FROM slack_incidents)
          LIMIT ?)`,
    );
    stats.slackMessages = await inBatches(() => dropMessages.run(cutoff, batchSize).changes);
    // Small tables without a time index: one statement each.
    stats.cooldowns = db.prepare<[number]>("DELETE FROM alert_cooldowns WHERE last_fired_at < ?").run(cutoff).changes;
    stats.batches++;
    if (tableExists(db, "silences")) {
      // Silences that ended before the cutoff, unless an alert still names one.
      stats.silences = db
        .prepare<[number]>(
          `DELETE FROM silences WHERE coalesce(expired_at, ends_at) < ?
              AND id NOT IN (SELECT silenced_by FROM alerts WHERE silenced_by IS NOT NULL)`,
        )
        .run(periodCutoff).changes;
      stats.batches++;
    }

    // ---- stock history ------------------------------------------------------------------------
    // Forecasts read the per-day summary (forecast_daily), not the movements, so movements follow
    // the period cutoff alone.
    const dropMovements = db.prepare<[number, number]>(
      `DELETE FROM stock_movements WHERE (eshop_id, stock_id, movement_id) IN (
         SELECT eshop_id, stock_id, movement_id FROM stock_movements WHERE change_time < ? LIMIT ?)`,
    );
    stats.movements = await inBatches(() => dropMovements.run(periodCutoff, batchSize).changes);

    const dropLevels = db.prepare<{ cut: number; limit: number }>(
      `DELETE FROM stock_level_changes WHERE id IN (
         SELECT c.id FROM stock_level_changes c
          WHERE c.at < $cut
            AND c.id <> (SELECT n.id FROM stock_level_changes n
                          WHERE n.eshop_id = c.eshop_id AND n.code = c.code AND n.at < $cut
                          ORDER BY n.at DESC, n.id DESC LIMIT 1)
          LIMIT $limit)`,
    );
    stats.levelChanges = await inBatches(() => dropLevels.run({ cut: forecastCutoff, limit: batchSize }).changes);

    if (tableExists(db, "forecast_daily")) {
      // One row per product and day (millions in a large shop): in batches along the primary key,
      // each continuing after the last product it reached (no index on the day alone).
      const dayCut = Math.floor(forecastCutoff / DAY_MS);
      const pickDays = db.prepare<[number, string, number, number], { eshop_id: number; code: string; day: number }>(
        `SELECT eshop_id, code, day FROM forecast_daily
          WHERE (eshop_id, code) >= (?, ?) AND day < ? ORDER BY eshop_id, code, day LIMIT ?`,
      );
      const dropDays = db.prepare<[string]>(
        `DELETE FROM forecast_daily WHERE (eshop_id, code, day) IN
           (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))`,
      );
      let from: [number, string] = [-1, ""];
      stats.dailySales = await inBatches(() => {
        const rows = pickDays.all(from[0], from[1], dayCut, batchSize);
        if (rows.length === 0) return 0;
        const last = rows[rows.length - 1]!;
        from = [last.eshop_id, last.code];
        return dropDays.run(JSON.stringify(rows.map((r) => [r.eshop_id, r.code, r.day]))).changes;
      });
    }

    // ---- digest runs --------------------------------------------------------------------------
    stats.digestRuns = db
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
    stats.batches++;
  }
}
