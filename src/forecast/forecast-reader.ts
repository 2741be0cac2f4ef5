import type { Db } from "../db/open-database.js";
import { SqliteForecastStore } from "../store/sqlite/forecast-store.js";
import { daysOfCover, runOutAt } from "./cover.js";
import type { BlockSalesRow, ForecastProductRow as ProductRow, ForecastStore } from "./forecast-store.js";
import {
  DAY_MS,
  SALE_SOURCES,
  type DaySales,
  type ForecastQuery,
  type ForecastSettings,
  type ProductForecast,
  type SaleSource,
  type VelocityEstimate,
} from "./forecast-types.js";
import { estimateVelocity, soldOutIntervals, velocityBlocks, velocityCeiling } from "./velocity.js";

/**
 * ForecastReader computes forecasts from the ForecastStore: the per-day summary of sales, when
 * each product was first seen, the level history and the product state. Three reads per product:
 * at most `windowDays` daily rows, the level changes in the window (plus the one before it), and
 * the product row with its first-seen time. Reads only; safe inside the stock worker's transaction
 * (it then sees the movement just written).
 */
export interface ForecastReader {
  /** Sales velocity of one product over a window; null when the product is unknown. */
  velocity(eshopId: number, code: string, query: ForecastQuery): VelocityEstimate | null;
  /** Velocity and days of cover of one product from its stored quantity; null when unknown. */
  forecast(eshopId: number, code: string, settings: ForecastSettings, now: number): ProductForecast | null;
  /** Every product (those `include` accepts, when given) with its forecast, by e-shop and code. */
  forecastAll(settings: ForecastSettings, now: number, include?: (eshopId: number, code: string) => boolean): ProductForecast[];
  /**
   * Like forecastAll, one product at a time: the product list is read at the first step, each
   * forecast when it is asked for — so a caller can yield to the event loop between products.
   */
  forecastEach(settings: ForecastSettings, now: number, filter?: ForecastFilter): IterableIterator<ProductForecast>;
}

/** Which products `forecastEach` yields. */
export interface ForecastFilter {
  /** Only these products. */
  include?: (eshopId: number, code: string) => boolean;
  /**
   * Only products that may have 0 < days of cover < this many days (null: skip the product). One
   * query sums every product's sales per part of the window and tells whether it was sold out in
   * it; sold-out products, those with fewer than `minSales` sold, and those that provably last
   * longer are skipped without reading their daily history — for a product never sold out in the
   * window the part sums give its velocity, otherwise `velocityCeiling` bounds it. Products yielded
   * may still not qualify: check `daysOfCover`.
   */
  coverBelow?: (eshopId: number, code: string) => number | null;
}

const COLUMN: Record<SaleSource, number> = Object.fromEntries(SALE_SOURCES.map((s, i) => [s, i + 1])) as Record<SaleSource, number>;

export function createForecastReader(db: Db): ForecastReader {
  return forecastReaderOver(new SqliteForecastStore(db));
}

/** The forecast decisions over a ForecastStore. */
export function forecastReaderOver(store: ForecastStore): ForecastReader {
  /** Units sold per day of the window, by the `salesBy` sources. */
  const dailySales = (eshopId: number, code: string, q: ForecastQuery): DaySales[] => {
    const today = Math.floor(q.now / DAY_MS);
    const columns = q.salesBy.map((s) => COLUMN[s]);
    const sales: DaySales[] = [];
    for (const row of store.dailySales(eshopId, code, today - q.windowDays + 1, today)) {
      let milli = 0;
      for (const c of columns) milli += row[c]!;
      if (milli > 0) sales.push({ day: row[0]!, sold: milli / 1000 });
    }
    return sales;
  };

  const estimate = (eshopId: number, code: string, p: ProductRow, q: ForecastQuery): VelocityEstimate => {
    const sales = dailySales(eshopId, code, q);
    const start = (Math.floor(q.now / DAY_MS) - q.windowDays + 1) * DAY_MS;
    const rows = store.levelChanges(eshopId, code, start, q.now);
    let levelAtStart: string | null;
    if (rows.length === 0) levelAtStart = p.level;
    else if (rows[0]![0] < start) levelAtStart = null; // the row before the window sets it
    else levelAtStart = rows[0]![1];
    const changes = rows.map((r) => ({ at: r[0], toLevel: r[2] }));
    return estimateVelocity({
      now: q.now,
      windowDays: q.windowDays,
      sales,
      soldOut: soldOutIntervals(levelAtStart, start, changes, q.now),
      observedFrom: p.first_seen,
    });
  };

  const toForecast = (eshopId: number, code: string, p: ProductRow, settings: ForecastSettings, now: number): ProductForecast => {
    const v = estimate(eshopId, code, p, { windowDays: settings.windowDays, salesBy: settings.salesBy, now });
    const quantity = p.quantity_milli / 1000;
    const cover = daysOfCover(quantity, v, settings.minSales);
    return { ...v, eshopId, code, name: p.name, quantity, daysOfCover: cover, runOutAt: runOutAt(now, cover) };
  };

  function* forecastEach(settings: ForecastSettings, now: number, filter: ForecastFilter = {}): IterableIterator<ProductForecast> {
    const { include, coverBelow } = filter;
    if (!coverBelow) {
      // Read the product list first: better-sqlite3 cannot run other statements while iterating one.
      const products = include ? store.products().filter((p) => include(p.eshop_id, p.code)) : store.products();
      for (const p of products) yield toForecast(p.eshop_id, p.code, p, settings, now);
      return;
    }
    const blocks = velocityBlocks(now, settings.windowDays);
    for (const p of store.blockSales(settings.salesBy, blocks, now)) {
      if (include && !include(p.eshop_id, p.code)) continue;
      const below = coverBelow(p.eshop_id, p.code);
      if (below === null) continue;
      if (!mayBeBelow(p, blocks, settings, now, below)) continue;
      yield toForecast(p.eshop_id, p.code, p, settings, now);
    }
  }

  return {
    velocity(eshopId, code, query) {
      const p = store.product(eshopId, code);
      return p ? estimate(eshopId, code, p, query) : null;
    },
    forecast(eshopId, code, settings, now) {
      const p = store.product(eshopId, code);
      return p ? toForecast(eshopId, code, p, settings, now) : null;
    },
    forecastAll: (settings, now, include) => [...forecastEach(settings, now, include ? { include } : {})],
    forecastEach,
  };
}

/**
 * Whether a product may have fewer than `below` days of cover, from its sales per part of the
 * window alone (false only in clear cases: the exact test is the forecast's own).
 */
export function mayBeBelow(
  p: BlockSalesRow,
  blocks: readonly { firstDay: number; days: number }[],
  settings: ForecastSettings,
  now: number,
  below: number,
): boolean {
  const windowStart = blocks[0]!.firstDay * DAY_MS;
  const sold = blocks.map((_, i) => (p[`b${i}`] ?? 0) / 1000);
  // These skip only clear cases, with a hair of margin for rounding.
  if (sold.reduce((a, b) => a + b, 0) < settings.minSales - 1e-9) return false;
  // Watched and never sold out in the window (not at its start, no change to or from sold out in
  // it): every part is fully sellable, so the part sums give the velocity itself (as
  // estimateVelocity computes it). Otherwise they only bound it.
  const levelAtStart = p.level_before ?? p.level;
  const clean = levelAtStart !== "soldOut" && p.sold_out_in_window === 0 && (p.first_seen === null || p.first_seen <= windowStart);
  const fastest = clean
    ? (estimateVelocity({ now, windowDays: settings.windowDays, sales: blocks.map((b, i) => ({ day: b.firstDay, sold: sold[i]! })), soldOut: [], observedFrom: null })
        .velocityPerDay ?? 0)
    : velocityCeiling(blocks, sold);
  return p.quantity_milli / 1000 < fastest * below * (1 + 1e-9);
}

/**
 * Deletes daily summaries older than `beforeDay` (a UTC day number): retention. Forecasts only
 * read their window, so keeping a year is plenty. Returns the number of rows removed.
 */
export function pruneDailySales(db: Db, beforeDay: number): number {
  return new SqliteForecastStore(db).pruneDailySales(beforeDay);
}
