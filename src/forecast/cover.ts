import { DAY_MS, type VelocityEstimate } from "./forecast-types.js";

/**
 * Days of cover: how long the stock on hand lasts at the estimated velocity. 0 when sold out
 * (quantity at or below 0), Infinity when the product is not selling, null when unknown — no
 * velocity, or fewer than `minSales` units sold in the window (too little history to say).
 */
export function daysOfCover(quantity: number, estimate: Pick<VelocityEstimate, "velocityPerDay" | "sold">, minSales: number): number | null {
  const v = estimate.velocityPerDay;
  if (v === null || estimate.sold < minSales) return null;
  if (quantity <= 0) return 0;
  if (v <= 0) return Infinity;
  return quantity / v;
}

/** When the stock runs out at this rate (epoch ms), or null when unknown or never. */
export function runOutAt(now: number, cover: number | null): number | null {
  if (cover === null || !Number.isFinite(cover)) return null;
  return now + Math.round(cover * DAY_MS);
}

/**
 * Units to order now so that, after the lead time, the stock covers `forDays` more days at this
 * velocity: velocity × (lead time + forDays) − quantity on hand (a negative quantity — backorders —
 * adds to it), rounded up, never below 0.
 */
export function reorderQuantity(quantity: number, velocityPerDay: number, leadTimeDays: number, forDays: number): number {
  const need = velocityPerDay * (leadTimeDays + forDays) - quantity;
  return need > 0 ? Math.ceil(need - 1e-9) : 0;
}
