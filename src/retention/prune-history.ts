import { nextBatchSize } from "../db/write-transaction.js";
import { SqliteRetentionStore } from "../store/sqlite/retention-store.js";
import type { PruneRequest, PruneStats } from "./prune-types.js";
import type { BatchStep, DigestStart, RetentionStore } from "./retention-store.js";

const DAY_MS = 86_400_000;

export type { PruneRequest, PruneStats } from "./prune-types.js";

const DEFAULT_FORECAST_WINDOW_DAYS = 365;
/** A PASSIVE checkpoint (no lock) after this many batches keeps the -wal file from growing when no daemon runs. */
const CHECKPOINT_EVERY_BATCHES = 20;

/** Where period data is cut: back to where a considered digest's next period starts, when that is earlier. */
export function periodCutoffOf(
  cutoff: number,
  starts: readonly DigestStart[],
  digests: readonly string[] | null | undefined,
): { periodCutoff: number; heldForDigest: string | null } {
  let periodCutoff = cutoff;
  let heldForDigest: string | null = null;
  const considered = digests ? new Set(digests) : null;
  for (const d of starts) {
    if (considered && !considered.has(d.digest)) continue;
    if (d.start !== null && d.start < periodCutoff) {
      periodCutoff = d.start;
      heldForDigest = d.digest;
    }
  }
  return { periodCutoff, heldForDigest };
}

function emptyStats(cutoff: number): PruneStats {
  return {
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
}

/** Runs batch steps until one comes back short: adapts the batch size, counts batches and the longest hold, pauses between. */
function batchRunner(store: RetentionStore, request: PruneRequest, stats: PruneStats): (step: BatchStep) => Promise<number> {
  const maxBatch = Math.max(1, request.batchSize ?? 5000);
  // Adapts to what a batch costs here (indexes, row sizes, the disk) to keep each one short.
  let batchSize = Math.min(500, maxBatch);
  const pauseMs = request.pauseMs ?? 5;
  const pause = () => new Promise<void>((resolve) => setTimeout(resolve, pauseMs));
  return async (step) => {
    let total = 0;
    const tx = store.transaction(() => step(batchSize));
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
      if (stats.batches % CHECKPOINT_EVERY_BATCHES === 0) store.checkpoint();
      await pause();
    }
  };
}

/**
 * Deletes history older than the cutoff in short batches (each its own write transaction, with a
 * pause between), so a running daemon keeps receiving webhooks meanwhile. Never runs VACUUM: the
 * freed pages are reused by new rows; shrinking the file is the operator's call.
 */
export async function pruneHistory(request: PruneRequest): Promise<PruneStats> {
  const store: RetentionStore = new SqliteRetentionStore(request.db);
  const { now } = request;
  const cutoff = now - request.olderThanMs;
  const stats = emptyStats(cutoff);
  // A digest's next period starts where its last successful scheduled run ended (or, before any,
  // at its oldest failed run, or when it was first scheduled): keep everything from there.
  Object.assign(stats, periodCutoffOf(cutoff, store.digestStarts(), request.digests));
  const windowDays = request.forecastWindowDays ?? DEFAULT_FORECAST_WINDOW_DAYS;
  const forecastCutoff = Math.min(stats.periodCutoff, now - windowDays * DAY_MS);
  const inBatches = batchRunner(store, request, stats);
  await store.session(() => pruneRows(store, inBatches, stats, forecastCutoff));
  return stats;
}

/** Every table's deletes, in order: jobs before events, alerts before their Slack messages. */
async function pruneRows(
  store: RetentionStore,
  inBatches: (step: BatchStep) => Promise<number>,
  stats: PruneStats,
  forecastCutoff: number,
): Promise<void> {
  const { cutoff, periodCutoff } = stats;
  // ---- finished jobs, then events (those still pointed at stay) ---------------------------------
  stats.jobs = await inBatches(store.doneJobs(cutoff));
  const events = store.events(periodCutoff);
  if (events) {
    stats.events = await inBatches(events);
    stats.eventsKept = store.eventsKept(periodCutoff);
  }
  // ---- deliveries, alerts and their Slack threads --------------------------------------------------
  stats.deliveries = await inBatches(store.sentDeliveries(cutoff));
  stats.alerts = await inBatches(store.resolvedAlerts(periodCutoff));
  stats.slackMessages = await inBatches(store.orphanSlackMessages(cutoff));
  // Small tables without a time index: one statement each.
  stats.cooldowns = store.cooldowns(cutoff);
  stats.batches++;
  const silences = store.silences(periodCutoff);
  if (silences !== null) {
    stats.silences = silences;
    stats.batches++;
  }
  // ---- stock history ------------------------------------------------------------------------------
  // Forecasts read the per-day summary (forecast_daily), not the movements, so movements follow
  // the period cutoff alone.
  stats.movements = await inBatches(store.movements(periodCutoff));
  stats.levelChanges = await inBatches(store.levelChanges(forecastCutoff));
  const days = store.dailySales(Math.floor(forecastCutoff / DAY_MS));
  if (days) stats.dailySales = await inBatches(days);
  // ---- digest runs ----------------------------------------------------------------------------------
  stats.digestRuns = store.digestRuns(cutoff);
  stats.batches++;
}
