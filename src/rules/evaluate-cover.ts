import { daysOfCover, runOutAt } from "../forecast/cover.js";
import type { ForecastQuery, VelocityEstimate } from "../forecast/forecast-types.js";
import type { ProductSnapshot } from "../stock/stock-types.js";
import type { CompiledRules, StockRule } from "./rules-types.js";

/*
 * The days-of-cover part of stock rules: what a rule compares (the product's forecast against a
 * fixed number of days, or its lead time + safety) and how the forecast is kept with an alert.
 */

/**
 * The sales velocity of the changed product for a days-of-cover rule (its window), or null when
 * there is none. The engine answers it from the forecast reader, memoised per window.
 */
export type ForecastLookup = (rule: StockRule) => VelocityEstimate | null;

/** Where forecasts come from: `createForecastReader(db).velocity`. */
export type ForecastSource = (eshopId: number, code: string, query: ForecastQuery) => VelocityEstimate | null;

/** The lookup for one product at `now`: asks `source` at most once per window; undefined without a source. */
export function forecastLookup(
  source: ForecastSource | undefined,
  rules: CompiledRules,
  eshopId: number,
  code: string,
  now: number,
): ForecastLookup | undefined {
  if (!source) return undefined;
  const memo = new Map<number, VelocityEstimate | null>();
  return (rule) => {
    const windowDays = rule.when.cover!.windowDays;
    let v = memo.get(windowDays);
    if (v === undefined) {
      v = source(eshopId, code, { windowDays, salesBy: rules.forecast.settings.salesBy, now });
      memo.set(windowDays, v);
    }
    return v;
  };
}

/** What a days-of-cover rule saw: the forecast and the thresholds for this product. */
export interface CoverReading {
  velocityPerDay: number | null;
  /** 0 sold out, Infinity not selling, null unknown (too little history, see `daysOfCover`). */
  daysOfCover: number | null;
  sold: number;
  windowDays: number;
  /** Lead time of the product (belowLeadTime rules); null otherwise or when it has none. */
  leadTimeDays: number | null;
  safetyDays: number;
  /** The rule holds below this many days; null when it cannot apply (no lead time for the product). */
  thresholdDays: number | null;
  /** An open alert stays open at or below this (hysteresis); null without one. */
  clearDays: number | null;
}

/** A CoverReading as stored with an alert: Infinity does not survive JSON, so "not selling" is a flag. */
export interface StoredForecast {
  velocityPerDay: number | null;
  daysOfCover: number | null;
  notSelling?: true;
  sold: number;
  windowDays: number;
  leadTimeDays: number | null;
  safetyDays: number;
  thresholdDays: number | null;
  /** When it sells out at this rate (epoch ms), from the time of the decision. */
  runOutAt: number | null;
}

/** The forecast a days-of-cover rule judges this product by. */
export function readCover(rule: StockRule, rules: CompiledRules, p: ProductSnapshot, forecast: ForecastLookup | undefined): CoverReading {
  const c = rule.when.cover!;
  const estimate = forecast?.(rule) ?? null;
  const lead = c.belowLeadTime ? rules.forecast.leadTimeFor(p.code) : null;
  const threshold = c.belowLeadTime ? (lead === null ? null : lead + c.safetyDays) : c.belowDays;
  let clear: number | null = null;
  if (c.clearAboveDays !== null) clear = c.clearAboveDays;
  else if (c.clearMarginDays !== null && threshold !== null) clear = threshold + c.clearMarginDays;
  return {
    velocityPerDay: estimate?.velocityPerDay ?? null,
    daysOfCover: estimate ? daysOfCover(p.quantity, estimate, c.minSales) : null,
    sold: estimate?.sold ?? 0,
    windowDays: c.windowDays,
    leadTimeDays: lead,
    safetyDays: c.belowLeadTime ? c.safetyDays : 0,
    thresholdDays: threshold,
    clearDays: clear,
  };
}

export function coverHolds(r: CoverReading | null | undefined): boolean {
  return !!r && r.daysOfCover !== null && r.thresholdDays !== null && r.daysOfCover < r.thresholdDays;
}

/** A reading as stored with the alert (JSON-safe), with the run-out date from `now`. */
export function storeCover(r: CoverReading, now: number): StoredForecast {
  const stored: StoredForecast = {
    velocityPerDay: r.velocityPerDay,
    daysOfCover: r.daysOfCover !== null && Number.isFinite(r.daysOfCover) ? r.daysOfCover : null,
    sold: r.sold,
    windowDays: r.windowDays,
    leadTimeDays: r.leadTimeDays,
    safetyDays: r.safetyDays,
    thresholdDays: r.thresholdDays,
    runOutAt: runOutAt(now, r.daysOfCover),
  };
  if (r.daysOfCover === Infinity) stored.notSelling = true;
  return stored;
}

