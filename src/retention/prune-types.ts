import type { Db } from "../db/open-database.js";

/**
 * What retention keeps no matter how old, and how it deletes the rest. History older than the
 * cutoff goes; what the daemon still needs stays:
 *
 * - events referenced by an open alert, by a job that is not done, or not yet read by an event
 *   feed (the rules feed's cursor);
 * - everything a digest's next period will read: the cutoff moves back to where that period starts
 *   (the end of the digest's last successful scheduled run);
 * - the newest level change per product before the cutoff (it says since when a product is sold
 *   out or low, and which level a forecast window starts with), and the level changes and daily
 *   sales inside the forecasts' window;
 * - every digest's last successful scheduled run (where its next period starts) and failed runs
 *   not yet followed by a success;
 * - open alerts, unfinished or dead jobs, and deliveries not sent (pending, retrying, dead,
 *   unconfigured), whatever their age; current stock state, cursors and rule versions.
 */
export interface PruneRequest {
  db: Db;
  /** Rows older than now − this go. */
  olderThanMs: number;
  now: number;
  /** Digests of the rules file: only their next periods hold data back. Default: every digest that has run. */
  digests?: readonly string[] | null;
  /** Longest forecast window in days (rules file); level changes and daily sales inside it stay. Default 365. */
  forecastWindowDays?: number;
  /**
   * Most rows per transaction (default 5,000); batches shrink below it to stay within the write
   * budget (25 ms), and between them the daemon gets the write lock.
   */
  batchSize?: number;
  /** Pause between batches, ms: the daemon's webhook batches get the lock meanwhile. Default 5. */
  pauseMs?: number;
}

export interface PruneStats {
  cutoff: number;
  /** Where period data (events, alerts, movements) was actually cut: earlier when a digest needs it. */
  periodCutoff: number;
  /** The digest whose next period moved periodCutoff back, if any. */
  heldForDigest: string | null;
  events: number;
  /** Old events that stay: open alerts, unfinished jobs, unread by a feed. */
  eventsKept: number;
  jobs: number;
  deliveries: number;
  alerts: number;
  slackMessages: number;
  cooldowns: number;
  /** Silences that ended before the cutoff (and no alert names). */
  silences: number;
  movements: number;
  levelChanges: number;
  digestRuns: number;
  dailySales: number;
  batches: number;
  /** The longest write transaction of the prune, ms (a running daemon's webhooks waited at most this long for it). */
  longestHoldMs: number;
}
