import type { Statement } from "better-sqlite3";
import type { Db } from "../db/open-database.js";
import { daysOfCover, runOutAt } from "./cover.js";
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
 * ForecastReader computes forecasts from SQLite: the per-day summary `forecast_daily` and
 * `forecast_seen` (migration 0006, filled by triggers on the movement log), the level history
 * `stock_level_changes` and the product state `stock_products`. Three indexed reads per product:
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

interface ProductRow {
  level: string;
  quantity_milli: number;
  name: string | null;
  first_seen: number | null;
}

interface BlockSalesRow extends ProductRow {
  eshop_id: number;
  code: string;
  /** The level of the last change before the window (null: none). */
  level_before: string | null;
  /** 1 when a change in the window went to or came from sold out. */
  sold_out_in_window: number;
  /** `b0`, `b1`, …: thousandths sold in each part of the window (velocityBlocks), oldest first; null: nothing. */
  [part: `b${number}`]: number | null | undefined;
}

const COLUMN: Record<SaleSource, number> = Object.fromEntries(SALE_SOURCES.map((s, i) => [s, i + 1])) as Record<SaleSource, number>;

export function createForecastReader(db: Db): ForecastReader {
  const productStmt = db.prepare<[number, string], ProductRow>(
    `SELECT p.level, p.quantity_milli, p.name,
            (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen
       FROM stock_products p WHERE p.eshop_id = ? AND p.code = ?`,
  );
  const allStmt = db.prepare<[], ProductRow & { eshop_id: number; code: string }>(
    `SELECT p.eshop_id, p.code, p.level, p.quantity_milli, p.name,
            (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen
       FROM stock_products p ORDER BY p.eshop_id, p.code`,
  );
  const dailyStmt = db
    .prepare<[number, string, number, number], number[]>(
      `SELECT day, out_customer, out_admin, out_api, out_email, out_none FROM forecast_daily
        WHERE eshop_id = ? AND code = ? AND day >= ? AND day <= ?`,
    )
    .raw(true);
  // The last change before the window (the level the window starts with) and every change in it.
  const levelsStmt = db
    .prepare<{ e: number; c: string; start: number; now: number }, [number, string | null, string]>(
      `SELECT at, from_level, to_level FROM stock_level_changes
        WHERE eshop_id = $e AND code = $c AND at <= $now
          AND at >= coalesce((SELECT max(at) FROM stock_level_changes WHERE eshop_id = $e AND code = $c AND at < $start), $start)
        ORDER BY at, id`,
    )
    .raw(true);

  /** Units sold per day of the window, by the `salesBy` sources. */
  const dailySales = (eshopId: number, code: string, q: ForecastQuery): DaySales[] => {
    const today = Math.floor(q.now / DAY_MS);
    const columns = q.salesBy.map((s) => COLUMN[s]);
    const sales: DaySales[] = [];
    for (const row of dailyStmt.all(eshopId, code, today - q.windowDays + 1, today)) {
      let milli = 0;
      for (const c of columns) milli += row[c]!;
      if (milli > 0) sales.push({ day: row[0]!, sold: milli / 1000 });
    }
    return sales;
  };

  const estimate = (eshopId: number, code: string, p: ProductRow, q: ForecastQuery): VelocityEstimate => {
    const sales = dailySales(eshopId, code, q);
    const start = (Math.floor(q.now / DAY_MS) - q.windowDays + 1) * DAY_MS;
    const rows = levelsStmt.all({ e: eshopId, c: code, start, now: q.now });
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

  // Sales per part of the window for every product in stock and whether it was sold out in the
  // window, in one statement (index seeks inside SQLite instead of calls per product from JS); one
  // statement per `salesBy` combination.
  const blockStmts = new Map<string, Statement<[Record<string, number>], BlockSalesRow>>();
  const blockSales = (settings: ForecastSettings, blocks: readonly { firstDay: number; days: number }[], now: number): BlockSalesRow[] => {
    const key = settings.salesBy.join(",");
    let stmt = blockStmts.get(key);
    if (!stmt) {
      // Column names come from SALE_SOURCES only, never from input. $d<i> is the first day of
      // part i; the last one is the day after the window.
      const sold = settings.salesBy.length ? settings.salesBy.map((s) => `d.out_${s}`).join(" + ") : "0";
      const parts = blocks.map(
        (_, i) => `(SELECT sum(${sold}) FROM forecast_daily d
                     WHERE d.eshop_id = p.eshop_id AND d.code = p.code AND d.day >= $d${i} AND d.day < $d${i + 1}) AS b${i}`,
      );
      // Subqueries rather than a join and GROUP BY: the other columns are then evaluated once per
      // product, not once per daily row.
      stmt = db.prepare<[Record<string, number>], BlockSalesRow>(
        `SELECT p.eshop_id, p.code, p.level, p.quantity_milli, p.name,
                (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen,
                (SELECT l.to_level FROM stock_level_changes l WHERE l.eshop_id = p.eshop_id AND l.code = p.code AND l.at < $start
                  ORDER BY l.at DESC, l.id DESC LIMIT 1) AS level_before,
                EXISTS (SELECT 1 FROM stock_level_changes l WHERE l.eshop_id = p.eshop_id AND l.code = p.code AND l.at >= $start
                          AND l.at <= $now AND (l.to_level = 'soldOut' OR l.from_level = 'soldOut')) AS sold_out_in_window,
                ${parts.join(",\n                ")}
           FROM stock_products p
          WHERE p.quantity_milli > 0
          ORDER BY p.eshop_id, p.code`,
      );
      blockStmts.set(key, stmt);
    }
    const last = blocks[blocks.length - 1]!;
    const params: Record<string, number> = { [`d${blocks.length}`]: last.firstDay + last.days, start: blocks[0]!.firstDay * DAY_MS, now };
    blocks.forEach((b, i) => (params[`d${i}`] = b.firstDay));
    return stmt.all(params);
  };

  function* forecastEach(settings: ForecastSettings, now: number, filter: ForecastFilter = {}): IterableIterator<ProductForecast> {
    const { include, coverBelow } = filter;
    if (!coverBelow) {
      // Read the product list first: better-sqlite3 cannot run other statements while iterating one.
      const products = include ? allStmt.all().filter((p) => include(p.eshop_id, p.code)) : allStmt.all();
      for (const p of products) yield toForecast(p.eshop_id, p.code, p, settings, now);
      return;
    }
    const blocks = velocityBlocks(now, settings.windowDays);
    const windowStart = blocks[0]!.firstDay * DAY_MS;
    for (const p of blockSales(settings, blocks, now)) {
      if (include && !include(p.eshop_id, p.code)) continue;
      const below = coverBelow(p.eshop_id, p.code);
      if (below === null) continue;
      const sold = blocks.map((_, i) => (p[`b${i}`] ?? 0) / 1000);
      // The exact test is the forecast's own (below); these skip only clear cases, with a hair of margin for rounding.
      if (sold.reduce((a, b) => a + b, 0) < settings.minSales - 1e-9) continue;
      // Watched and never sold out in the window (not at its start, no change to or from sold out in
      // it): every part is fully sellable, so the part sums give the velocity itself (as
      // estimateVelocity computes it). Otherwise they only bound it.
      const levelAtStart = p.level_before ?? p.level;
      const clean = levelAtStart !== "soldOut" && p.sold_out_in_window === 0 && (p.first_seen === null || p.first_seen <= windowStart);
      const fastest = clean
        ? (estimateVelocity({ now, windowDays: settings.windowDays, sales: blocks.map((b, i) => ({ day: b.firstDay, sold: sold[i]! })), soldOut: [], observedFrom: null })
            .velocityPerDay ?? 0)
        : velocityCeiling(blocks, sold);
      if (p.quantity_milli / 1000 >= fastest * below * (1 + 1e-9)) continue;
      yield toForecast(p.eshop_id, p.code, p, settings, now);
    }
  }

  return {
    velocity(eshopId, code, query) {
      const p = productStmt.get(eshopId, code);
      return p ? estimate(eshopId, code, p, query) : null;
    },
    forecast(eshopId, code, settings, now) {
      const p = productStmt.get(eshopId, code);
      return p ? toForecast(eshopId, code, p, settings, now) : null;
    },
    forecastAll: (settings, now, include) => [...forecastEach(settings, now, include ? { include } : {})],
    forecastEach,
  };
}

/**
 * Deletes daily summaries older than `beforeDay` (a UTC day number): retention. Forecasts only
 * read their window, so keeping a year is plenty. Returns the number of rows removed.
 */
export function pruneDailySales(db: Db, beforeDay: number): number {
  return db.prepare("DELETE FROM forecast_daily WHERE day < ?").run(beforeDay).changes;
}
