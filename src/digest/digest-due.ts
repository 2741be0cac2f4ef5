import type { CronSchedule } from "./cron-schedule.js";

/** A run later than this after its slot is a catch-up (the daemon was down or busy). */
export const CATCH_UP_AFTER_MS = 5 * 60_000;

/** What the store knows about one digest, read before deciding. Times are epoch ms. */
export interface DigestDueFacts {
  now: number;
  schedule: CronSchedule;
  timezone: string;
  /** When the digest (with this schedule and timezone) was first scheduled: older slots were never due. */
  firstSeen: number;
  /** The last successful scheduled run, if any. */
  last: { slot: number | null; periodTo: number } | null;
  /** Where the oldest failed scheduled run began, before any success. */
  firstFailedFrom: number | null;
}

/** A digest run that is due now: the slot it stands for, the period it covers, how it was triggered. */
export interface DueDigest {
  slot: number;
  period: { from: number; to: number };
  trigger: "schedule" | "catch-up";
}

/**
 * Whether a digest is due at `now`, and for which period. Due when its latest slot at or before
 * now is newer than the last successful scheduled run's slot and not older than when the digest
 * was first scheduled. The period runs from the end of that last run (first run: one schedule
 * interval back, or from where a failed first attempt began) to now, so several slots missed
 * during downtime are caught up by ONE run covering them all. DST is the schedule's: a skipped
 * wall time has its slot when the clock has jumped, a repeated one the first time only.
 */
export function digestDue(f: DigestDueFacts): DueDigest | null {
  const slot = f.schedule.latestAtOrBefore(f.now, f.timezone);
  if (slot === null || slot < f.firstSeen) return null;
  if (f.last && f.last.slot !== null && f.last.slot >= slot) return null;
  const oneBack = f.schedule.latestAtOrBefore(slot - 1, f.timezone) ?? slot - 86_400_000;
  const from = f.last ? f.last.periodTo : Math.min(oneBack, f.firstFailedFrom ?? oneBack);
  if (from >= f.now) return null;
  return { slot, period: { from, to: f.now }, trigger: f.now - slot > CATCH_UP_AFTER_MS ? "catch-up" : "schedule" };
}
