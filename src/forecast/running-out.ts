import { reorderQuantity } from "./cover.js";
import type { ForecastFilter, ForecastReader } from "./forecast-reader.js";
import type { ForecastSettings, ProductForecast } from "./forecast-types.js";

/** One row of the digest section "running out soon". */
export interface RunningOutRow {
  eshopId: number;
  code: string;
  name: string | null;
  quantity: number;
  /** Units per day (robust estimate over the window). */
  velocityPerDay: number;
  /** Days the stock lasts at that rate (> 0: sold-out products are in the soldOut section). */
  daysOfCover: number;
  /** The product's lead time (from `forecast.leadTimes`). */
  leadTimeDays: number;
  /** daysOfCover − leadTimeDays: below 0 it sells out before a reorder placed today arrives. */
  slackDays: number;
  /** When it sells out at this rate (epoch ms). */
  runOutAt: number;
  /** Units to order now to cover `reorderForDays` after the lead time (see `reorderQuantity`). */
  reorderQuantity: number;
  /** Units sold in the window, and its length, for "based on …". */
  sold: number;
  windowDays: number;
}

export interface RunningOutSection {
  /** Every product that qualifies. */
  count: number;
  /** The most urgent first, at most `limit`. */
  rows: RunningOutRow[];
  /** The reorder quantities cover this many days after the lead time. */
  reorderForDays: number;
}

export interface RunningOutOptions {
  /** Lead time of a product in days, or null when it has none (then it is not listed). */
  leadTimeFor: (code: string) => number | null;
  settings: ForecastSettings;
  /** Products to include (the digest's `products` globs); null = all. */
  products?: { test(code: string): boolean } | null;
  /** Rows to return (the count covers all). Default 50. */
  limit?: number;
}

/**
 * Pure part of "running out soon": products still in stock whose days of cover are below their
 * lead time (a reorder placed today arrives after they sell out, or just before), most urgent
 * first — by slack (cover − lead time), then by cover, then by code — each with a suggested
 * reorder quantity for `settings.reorderForDays` of cover after arrival.
 */
export function rankRunningOut(forecasts: Iterable<ProductForecast>, options: RunningOutOptions): RunningOutSection {
  const { settings } = options;
  const rows: RunningOutRow[] = [];
  for (const f of forecasts) {
    if (options.products && !options.products.test(f.code)) continue;
    const cover = f.daysOfCover;
    if (cover === null || !Number.isFinite(cover) || cover <= 0 || f.velocityPerDay === null || f.runOutAt === null) continue;
    const lead = options.leadTimeFor(f.code);
    if (lead === null || !(cover < lead)) continue;
    rows.push({
      eshopId: f.eshopId,
      code: f.code,
      name: f.name,
      quantity: f.quantity,
      velocityPerDay: f.velocityPerDay,
      daysOfCover: cover,
      leadTimeDays: lead,
      slackDays: cover - lead,
      runOutAt: f.runOutAt,
      reorderQuantity: reorderQuantity(f.quantity, f.velocityPerDay, lead, settings.reorderForDays),
      sold: f.sold,
      windowDays: f.windowDays,
    });
  }
  rows.sort((a, b) => a.slackDays - b.slackDays || a.daysOfCover - b.daysOfCover || a.eshopId - b.eshopId || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { count: rows.length, rows: rows.slice(0, options.limit ?? 50), reorderForDays: settings.reorderForDays };
}

/** Scope of a running-out listing: the digest's `eshops` (null = all) on top of RunningOutOptions. */
export type RunningOutQuery = RunningOutOptions & { eshops?: readonly number[] | null };

/**
 * The digest section "running out soon" from the database, for a digest's scope (`eshops`,
 * `products`) at `now`. With the rules loaded: `leadTimeFor: rules.forecast.leadTimeFor`,
 * `settings: rules.forecast.settings`. Only products with a lead time are forecast.
 */
export function runningOutSoon(reader: ForecastReader, now: number, options: RunningOutQuery): RunningOutSection {
  return rankRunningOut(reader.forecastEach(options.settings, now, candidates(options)), options);
}

/**
 * `runningOutSoon` that calls `pause()` (e.g. `setImmediate` from node:timers/promises) after every
 * `every` forecasts: a big shop takes a few hundred ms, and a digest built inside the daemon must
 * not hold webhook requests up that long.
 */
export async function runningOutSoonAsync(
  reader: ForecastReader,
  now: number,
  options: RunningOutQuery,
  pause: () => Promise<unknown>,
  every = 250,
): Promise<RunningOutSection> {
  const forecasts: ProductForecast[] = [];
  let n = 0;
  for (const f of reader.forecastEach(options.settings, now, candidates(options))) {
    forecasts.push(f);
    if (++n % every === 0) await pause();
  }
  return rankRunningOut(forecasts, options);
}

/** Products worth a forecast: in the scope, and with a lead time their cover may be below. */
function candidates(options: RunningOutQuery): ForecastFilter {
  const eshops = options.eshops ? new Set(options.eshops) : null;
  return {
    include: (eshopId, code) => (eshops === null || eshops.has(eshopId)) && (!options.products || options.products.test(code)),
    coverBelow: (_eshopId, code) => options.leadTimeFor(code),
  };
}
