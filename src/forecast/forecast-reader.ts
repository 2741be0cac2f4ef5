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
import { estimateVelocity, soldOutIntervals } from "./velocity.js";

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
}

interface ProductRow {
  level: string;
  quantity_milli: number;
  name: string | null;
  first_seen: number | null;
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

  const estimate = (eshopId: number, code: string, p: ProductRow, q: ForecastQuery): VelocityEstimate => {
    const today = Math.floor(q.now / DAY_MS);
    const firstDay = today - q.windowDays + 1;
    const start = firstDay * DAY_MS;
    const columns = q.salesBy.map((s) => COLUMN[s]);
    const sales: DaySales[] = [];
    for (const row of dailyStmt.all(eshopId, code, firstDay, today)) {
      let milli = 0;
      for (const c of columns) milli += row[c]!;
      if (milli > 0) sales.push({ day: row[0]!, sold: milli / 1000 });
    }
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

  return {
    velocity(eshopId, code, query) {
      const p = productStmt.get(eshopId, code);
      return p ? estimate(eshopId, code, p, query) : null;
    },
    forecast(eshopId, code, settings, now) {
      const p = productStmt.get(eshopId, code);
      return p ? toForecast(eshopId, code, p, settings, now) : null;
    },
    forecastAll(settings, now, include) {
      // Read the product list first: better-sqlite3 cannot run other statements while iterating one.
      const products = include ? allStmt.all().filter((p) => include(p.eshop_id, p.code)) : allStmt.all();
      return products.map((p) => toForecast(p.eshop_id, p.code, p, settings, now));
    },
  };
}

/**
 * Deletes daily summaries older than `beforeDay` (a UTC day number): retention. Forecasts only
 * read their window, so keeping a year is plenty. Returns the number of rows removed.
 */
export function pruneDailySales(db: Db, beforeDay: number): number {
  return db.prepare("DELETE FROM forecast_daily WHERE day < ?").run(beforeDay).changes;
}
