/**
 * Forecast figures as words for messages and digests: "≈ 4 days left (sells ~6/day, 24 in stock);
 * at this rate sold out on Tue 2 Dec". Pure; dates in the rules file's timezone.
 */

export interface ForecastFigures {
  quantity: number;
  velocityPerDay: number | null;
  /** 0 sold out, Infinity not selling, null unknown (see `daysOfCover`). */
  daysOfCover: number | null;
  runOutAt: number | null;
  /** Units sold in the window and its length, for "not selling" and "too little history". */
  sold: number;
  windowDays: number;
}

/** The forecast line of an alert message. */
export function describeForecast(f: ForecastFigures, timeZone: string, now: number): string {
  const stock = `${formatQuantity(f.quantity)} in stock`;
  if (f.velocityPerDay === null || f.daysOfCover === null) {
    return `no forecast yet: ${formatQuantity(f.sold)} sold in the last ${f.windowDays} days (${stock})`;
  }
  const rate = `sells ${formatRate(f.velocityPerDay)}`;
  if (f.daysOfCover === 0) return `sold out (${rate})`;
  if (!Number.isFinite(f.daysOfCover)) return `not selling at the moment (${stock})`;
  const date = f.runOutAt === null ? "" : `; at this rate sold out on ${formatDay(f.runOutAt, timeZone, now)}`;
  return `${formatCover(f.daysOfCover)} (${rate}, ${stock})${date}`;
}

/** "≈ 4 days left", "≈ 1 day left", "less than a day left", "sold out", "not selling". */
export function formatCover(days: number | null): string {
  if (days === null) return "no forecast";
  if (days <= 0) return "sold out";
  if (!Number.isFinite(days)) return "not selling";
  if (days < 1) return "less than a day left";
  const n = Math.round(days);
  return `≈ ${n} ${n === 1 ? "day" : "days"} left`;
}

/** "~6/day", "~2.5/day", "~3/week", "~2/month" (small rates read better per week or month). */
export function formatRate(perDay: number): string {
  if (perDay >= 1) return `~${roundNice(perDay)}/day`;
  if (perDay * 7 >= 1) return `~${roundNice(perDay * 7)}/week`;
  if (perDay > 0) return `~${roundNice(perDay * 30)}/month`;
  return "0/day";
}

/** Whole numbers from 10 up, one decimal below (without a trailing ".0"). */
function roundNice(x: number): string {
  if (x >= 10) return String(Math.round(x));
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** Shoptet amounts have up to 3 decimals; show what there is. */
export function formatQuantity(q: number): string {
  return String(Math.round(q * 1000) / 1000);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "Tue 2 Dec" in the timezone; with the year when it is not the year of `now`. */
export function formatDay(ms: number, timeZone: string, now: number): string {
  let f = dayFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric" });
    dayFormats.set(timeZone, f);
  }
  const parts = (t: number) => Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  const p = parts(ms);
  const text = `${p.weekday} ${p.day} ${p.month}`;
  return p.year === parts(now).year ? text : `${text} ${p.year}`;
}
