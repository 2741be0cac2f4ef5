import type { SaleSource } from "./forecast-types.js";

/** A product as forecasts read it (quantities in thousandths, like the stock tables). */
export interface ForecastProductRow {
  level: string;
  quantity_milli: number;
  name: string | null;
  /** When its movements were first seen (null: before the forecast tables existed). */
  first_seen: number | null;
}

export interface ForecastProductListRow extends ForecastProductRow {
  eshop_id: number;
  code: string;
}

/** One product's sales in the parts of a window (see `ForecastStore.blockSales`). */
export interface BlockSalesRow extends ForecastProductListRow {
  /** The level of the last change before the window (null: none). */
  level_before: string | null;
  /** 1 when a change in the window went to or came from sold out. */
  sold_out_in_window: number;
  /** `b0`, `b1`, …: thousandths sold in each part of the window (velocityBlocks), oldest first; null: nothing. */
  [part: `b${number}`]: number | null | undefined;
}

/** A level change: [at, from level (null: first seen), to level]. */
export type LevelChangeRow = [number, string | null, string];

/**
 * ForecastStore: what forecasts read — the per-day summary of sales (`forecast_daily`, kept by the
 * movement log), when each product was first seen, the level history and the product state.
 * Reads only, except the retention delete. SQLite: src/store/sqlite/forecast-store.ts.
 */
export interface ForecastStore {
  product(eshopId: number, code: string): ForecastProductRow | undefined;
  /** Every product, by e-shop and code. */
  products(): ForecastProductListRow[];
  /** Daily rows from `fromDay` to `toDay` (UTC day numbers): [day, then thousandths sold by each of SALE_SOURCES, in that order]. */
  dailySales(eshopId: number, code: string, fromDay: number, toDay: number): number[][];
  /** The last level change before `start` (the level a window starts with) and every change from it to `now`, oldest first. */
  levelChanges(eshopId: number, code: string, start: number, now: number): LevelChangeRow[];
  /**
   * Every product in stock with the units sold (by `salesBy`) in each part of the window (`blocks`:
   * first day and length, oldest first), the level before the window and whether it was sold out in it.
   */
  blockSales(salesBy: readonly SaleSource[], blocks: readonly { firstDay: number; days: number }[], now: number): BlockSalesRow[];
  /** Deletes daily summaries older than `beforeDay` (a UTC day number); returns the rows removed. */
  pruneDailySales(beforeDay: number): number;
}
