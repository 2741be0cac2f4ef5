import { parse, validateDetailed } from "node-cron";
import { ConfigError } from "../shared/errors.js";
import { addDays, instantOf, offsetAt, wallTimeAt } from "../rules/zoned-time.js";

/**
 * A cron schedule's slots as instants in a timezone: the latest slot at or before a time, the next
 * one after it. node-cron fires the jobs; this answers "which slot is due" so that a restart, a
 * late timer or a DST night can be reasoned about without waiting for node-cron to fire.
 *
 * Fields are read with node-cron's own parser, and days are matched with its rules (day of month
 * AND day of week, like node-cron; `L`, `15W`, `LW`, `L-2`, `5L`, `1#2`), so both agree on which
 * days a schedule runs.
 *
 * DST: a slot is a wall-clock time on a day. One that does not exist (02:30 on the spring-forward
 * night in Europe/Prague) runs when the clock has jumped, one hour later (03:30); one that occurs
 * twice (02:30 on the fall-back night) runs the first time only. So every matching day has its
 * slot exactly once: no digest is skipped or doubled by a clock change.
 */
export interface CronSchedule {
  readonly expression: string;
  /** The latest slot at or before `t` (epoch ms), or null when there is none within 8 years. */
  latestAtOrBefore(t: number, timeZone: string): number | null;
  /** The first slot strictly after `t`, or null when there is none within 8 years. */
  nextAfter(t: number, timeZone: string): number | null;
}

interface Fields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  daysOfMonth: (number | string)[];
  months: Set<number>;
  daysOfWeek: (number | string)[];
}

const MAX_DAYS = 366 * 8;
const DAY_MS = 86_400_000;

/** Compiles a 5-field (or 6-field, with seconds) cron expression; throws ConfigError naming the problem. */
export function compileCron(expression: string): CronSchedule {
  const check = validateDetailed(expression);
  if (!check.valid) {
    const why = check.errors.map((e) => e.message).join("; ");
    throw new ConfigError(`"${expression}" is not a valid cron expression (${why}); e.g. "0 7 * * 1-5" is 07:00 on weekdays`);
  }
  const p = parse(expression);
  const fields: Fields = {
    seconds: [...p.second].sort((a, b) => a - b),
    minutes: [...p.minute].sort((a, b) => a - b),
    hours: [...p.hour].sort((a, b) => a - b),
    daysOfMonth: p.dayOfMonth,
    months: new Set(p.month),
    daysOfWeek: p.dayOfWeek,
  };
  return {
    expression,
    latestAtOrBefore(t, timeZone) {
      const w = wallTimeAt(t, timeZone);
      // Start a day ahead: a skipped wall time can land a slot after midnight of its day.
      let date = addDays(w.year, w.month, w.day, 1);
      for (let i = 0; i < MAX_DAYS; i++) {
        if (dayMatches(fields, date.year, date.month, date.day)) {
          let best: number | null = null;
          for (const slot of slotsOfDay(fields, date.year, date.month, date.day, timeZone)) {
            if (slot <= t && (best === null || slot > best)) best = slot;
          }
          if (best !== null) return best;
        }
        date = addDays(date.year, date.month, date.day, -1);
      }
      return null;
    },
    nextAfter(t, timeZone) {
      const w = wallTimeAt(t, timeZone);
      let date = addDays(w.year, w.month, w.day, -1);
      for (let i = 0; i < MAX_DAYS; i++) {
        if (dayMatches(fields, date.year, date.month, date.day)) {
          let best: number | null = null;
          for (const slot of slotsOfDay(fields, date.year, date.month, date.day, timeZone)) {
            if (slot > t && (best === null || slot < best)) best = slot;
          }
          if (best !== null) return best;
        }
        date = addDays(date.year, date.month, date.day, 1);
      }
      return null;
    },
  };
}

/** Every slot instant of one local day, without duplicates (two wall times can name one instant on a DST day). */
function slotsOfDay(f: Fields, year: number, month: number, day: number, timeZone: string): number[] {
  const midnight = Date.UTC(year, month - 1, day);
  const before = offsetAt(midnight - DAY_MS / 2, timeZone);
  const after = offsetAt(midnight + DAY_MS + DAY_MS / 2, timeZone);
  const out = new Set<number>();
  for (const hour of f.hours) {
    for (const minute of f.minutes) {
      // One offset for the whole day unless the clock changes around it; then resolve each time.
      const base =
        before === after ? midnight + hour * 3_600_000 + minute * 60_000 - before : instantOf(year, month, day, hour, minute, timeZone);
      for (const second of f.seconds) out.add(base + second * 1000);
    }
  }
  return [...out];
}

function dayMatches(f: Fields, year: number, month: number, day: number): boolean {
  if (!f.months.has(month)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return matchesDayOfMonth(f.daysOfMonth, year, month, day) && matchesDayOfWeek(f.daysOfWeek, year, month, day, weekday);
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The weekday nearest to `target` within the month (cron `W`). */
function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1;
  const weekday = new Date(Date.UTC(year, month - 1, target)).getUTCDay();
  if (weekday === 6) return target === 1 ? target + 2 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function matchesDayOfMonth(field: readonly (number | string)[], year: number, month: number, day: number): boolean {
  for (const value of field) {
    if (value === day) return true;
    if (typeof value !== "string") continue;
    if (value === "L" && day === lastDayOfMonth(year, month)) return true;
    const w = /^(\d{1,2}|L)W$/.exec(value);
    if (w && nearestWeekday(year, month, w[1] === "L" ? lastDayOfMonth(year, month) : Number(w[1])) === day) return true;
    const offset = /^L-(\d{1,2})$/.exec(value);
    if (offset && lastDayOfMonth(year, month) - Number(offset[1]) === day) return true;
  }
  return false;
}

function matchesDayOfWeek(field: readonly (number | string)[], year: number, month: number, day: number, weekday: number): boolean {
  for (const value of field) {
    if (value === weekday) return true;
    if (typeof value !== "string") continue;
    const nth = /^([0-7])#([1-5])$/.exec(value);
    if (nth) {
      if (Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2])) return true;
      continue;
    }
    const last = /^([0-7])L$/i.exec(value);
    if (last && Number(last[1]) % 7 === weekday && day + 7 > lastDayOfMonth(year, month)) return true;
  }
  return false;
}
