/**
 * Terms of the days-of-cover forecast: how fast a product sells (velocity, units per day) and how
 * many days its current stock lasts at that rate. Quantities are plain units (not thousandths).
 */

/**
 * Who made a stock decrease, from Shoptet's movement `changedBy`: `customer` (a storefront order),
 * `admin`, `api` (`api.service-…@…`: a REST API integration), `email` (any other e-mail) or `none`
 * (null). Which of them count as sales is a setting (`salesBy`); increases never do.
 */
export const SALE_SOURCES = ["customer", "admin", "api", "email", "none"] as const;
export type SaleSource = (typeof SALE_SOURCES)[number];

/** The knobs of a forecast; the rules file's `forecast:` block sets them. */
export interface ForecastSettings {
  /** Days of history the velocity looks at (whole days, today included). */
  windowDays: number;
  /** Fewer units sold in the window than this: too little history, no days of cover. */
  minSales: number;
  /** Decreases by these count as sales. */
  salesBy: readonly SaleSource[];
  /** Suggested reorder quantity covers this many days after the reorder arrives. */
  reorderForDays: number;
}

export const FORECAST_DEFAULTS: Readonly<ForecastSettings> = Object.freeze({
  windowDays: 28,
  minSales: 5,
  salesBy: Object.freeze(["customer"]) as readonly SaleSource[],
  reorderForDays: 30,
});

export const FORECAST_LIMITS = {
  minWindowDays: 7,
  maxWindowDays: 365,
} as const;

export const DAY_MS = 86_400_000;

/** What a velocity is computed for. */
export interface ForecastQuery {
  windowDays: number;
  salesBy: readonly SaleSource[];
  /** Epoch ms; the window ends here. */
  now: number;
}

/** Units sold on one UTC day (`day` = floor(epoch ms / 86 400 000)). */
export interface DaySales {
  day: number;
  sold: number;
}

/** A stretch of time [from, to) in epoch ms. */
export interface Interval {
  from: number;
  to: number;
}

/** How fast a product sells, and what that figure rests on. */
export interface VelocityEstimate {
  /** Robust units sold per in-stock day; null when too little in-stock time was observed. */
  velocityPerDay: number | null;
  /** Units sold in the whole window (bulk orders and sold-out days included): the `minSales` test. */
  sold: number;
  /** Days in the window the product was watched and not sold out. */
  inStockDays: number;
  windowDays: number;
  /** Rate of each part of the window that had enough in-stock time, oldest first. */
  blockRates: number[];
}

/** Velocity plus what it means for the stock on hand. */
export interface ProductForecast extends VelocityEstimate {
  eshopId: number;
  code: string;
  name: string | null;
  quantity: number;
  /**
   * Days the stock lasts at this velocity: 0 when sold out, Infinity when not selling, null when
   * unknown (no velocity, or fewer than `minSales` sold in the window).
   */
  daysOfCover: number | null;
  /** When it sells out at this rate (epoch ms); null when unknown or never. */
  runOutAt: number | null;
}
