import type { Weekday } from "./rule-defaults.js";
import { WEEKDAYS } from "./rule-defaults.js";
import { addDays, instantOf, wallTimeAt } from "./zoned-time.js";

/**
 * A quiet period of a channel: from `from` on each of `days` until `to` (the next day when `to` is
 * not after `from`; `from` equal to `to` is the whole day). Times are wall-clock in the file's
 * timezone, so the period follows DST.
 */
export interface QuietPeriod {
  /** Minutes after local midnight. */
  fromMinutes: number;
  toMinutes: number;
  /** Weekdays the period STARTS on (0 = Monday); all seven when `days` is omitted. */
  days: ReadonlySet<number>;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses "HH:MM" (24-hour) into minutes after midnight. */
export function parseTimeOfDay(text: string): number | undefined {
  const m = TIME.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export function makeQuietPeriod(from: string, to: string, days?: readonly Weekday[]): QuietPeriod {
  const fromMinutes = parseTimeOfDay(from);
  const toMinutes = parseTimeOfDay(to);
  if (fromMinutes === undefined || toMinutes === undefined) throw new Error(`bad quiet hours ${from}-${to}`);
  const set = new Set((days ?? WEEKDAYS).map((d) => WEEKDAYS.indexOf(d)));
  return { fromMinutes, toMinutes, days: set };
}

/** Start and end instants of `period` when it starts on the given local date, or null if it does not start that day. */
function periodOn(period: QuietPeriod, date: { year: number; month: number; day: number }, weekday: number, timeZone: string) {
  if (!period.days.has(weekday)) return null;
  const start = instantOf(date.year, date.month, date.day, Math.floor(period.fromMinutes / 60), period.fromMinutes % 60, timeZone);
  const endDate = period.toMinutes > period.fromMinutes ? date : addDays(date.year, date.month, date.day, 1);
  const end = instantOf(endDate.year, endDate.month, endDate.day, Math.floor(period.toMinutes / 60), period.toMinutes % 60, timeZone);
  return { start, end };
}

/**
 * When a message due at `at` may go out: `at` itself outside quiet hours, otherwise the end of the
 * quiet period (following back-to-back periods, e.g. weeknights then a whole weekend). Messages are
 * held, never dropped.
 */
export function releaseTime(at: number, periods: readonly QuietPeriod[], timeZone: string): number {
  if (periods.length === 0) return at;
  let t = at;
  // Each step moves t to the end of a period containing it; 8 covers a full week of chained periods.
  for (let step = 0; step < 8; step++) {
    const end = quietUntil(t, periods, timeZone);
    if (end === null) return t;
    t = end;
  }
  return t;
}

/** End of the quiet period containing `t`, or null when `t` is not quiet. */
export function quietUntil(t: number, periods: readonly QuietPeriod[], timeZone: string): number | null {
  const wall = wallTimeAt(t, timeZone);
  let latestEnd: number | null = null;
  // A period containing t started today or (crossing midnight) yesterday.
  for (const back of [0, 1]) {
    const date = addDays(wall.year, wall.month, wall.day, -back);
    const weekday = (wall.weekday - back + 7) % 7;
    for (const period of periods) {
      const span = periodOn(period, date, weekday, timeZone);
      if (span && span.start <= t && t < span.end && (latestEnd === null || span.end > latestEnd)) latestEnd = span.end;
    }
  }
  return latestEnd;
}
