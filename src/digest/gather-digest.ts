import { FORECAST_DEFAULTS } from "../forecast/forecast-types.js";
import { MAX_ROWS } from "./digest-format.js";
import type { DigestForecast, DigestSources } from "./digest-sources.js";
import { SECTION_ORDER, type DigestModel, type DigestSectionName, type EventCountRow } from "./digest-types.js";

/** What a digest shows, from its entry in the rules file. */
export interface GatherOptions {
  digest: string;
  timezone: string;
  /** Sections selected in the rules file; `deliveries` is added whenever something died. */
  sections: readonly string[];
  scope: { eshops: readonly number[] | null; products: readonly string[] | null };
  /** When the digest is built (the "now" of sold out / low). */
  builtAt: number;
  /** Rows in "biggest movers". Default 10. */
  topMovers?: number;
  /** The rules file's `forecast:` block, for "running out soon"; absent: no lead times configured. */
  forecast?: DigestForecast | null;
}

/**
 * Reads everything one digest shows for the period [from, to) into a DigestModel. Only the selected
 * sections are queried. The event comparison uses the period of equal length just before.
 */
export async function gatherDigest(sources: DigestSources, options: GatherOptions, from: number, to: number): Promise<DigestModel> {
  const wanted = new Set(options.sections);
  const sections = SECTION_ORDER.filter((s) => s === "deliveries" || wanted.has(s));
  const previousPeriod = { from: from - (to - from), to: from };
  const model: DigestModel = {
    digest: options.digest,
    timezone: options.timezone,
    period: { from, to },
    previousPeriod,
    builtAt: options.builtAt,
    scope: options.scope,
    sections,
  };
  const has = (s: DigestSectionName) => sections.includes(s);

  if (has("soldOut")) {
    const rows = await sources.soldOutNow();
    model.soldOut = { count: rows.length, rows };
  }
  if (has("low")) {
    const rows = await sources.lowNow();
    model.low = { count: rows.length, rows };
  }
  if (has("runningOut")) {
    const forecast = options.forecast ?? null;
    const configured = forecast !== null && forecast.leadTimes.length > 0;
    // Without lead times nothing can be listed: do not forecast every product for nothing.
    const found = configured ? await sources.runningOutSoon(options.builtAt, forecast, MAX_ROWS) : { count: 0, rows: [] };
    model.runningOut = {
      count: found.count,
      rows: found.rows,
      reorderForDays: forecast?.settings.reorderForDays ?? FORECAST_DEFAULTS.reorderForDays,
      leadTimesConfigured: configured,
    };
  }
  if (has("backInStock")) {
    const rows = await sources.backInStock(from, to);
    model.backInStock = { count: rows.length, rows };
  }
  if (has("topMovers")) {
    const rows = await sources.topMovers(from, to, options.topMovers ?? 10);
    model.topMovers = { count: rows.length, rows };
  }
  if (has("alerts")) {
    const rows = await sources.alertsByRule(from, to);
    model.alerts = {
      opened: rows.reduce((n, r) => n + r.opened, 0),
      resolved: rows.reduce((n, r) => n + r.resolved, 0),
      rows,
    };
  }
  if (has("events")) {
    const now = await sources.eventCounts(from, to);
    const before = await sources.eventCounts(previousPeriod.from, previousPeriod.to);
    const types = new Set([...now.keys(), ...before.keys()]);
    const rows: EventCountRow[] = [...types]
      .map((event) => ({ event, count: now.get(event) ?? 0, previous: before.get(event) ?? 0 }))
      .sort((a, b) => b.count - a.count || b.previous - a.previous || (a.event < b.event ? -1 : 1));
    model.events = {
      total: rows.reduce((n, r) => n + r.count, 0),
      previousTotal: rows.reduce((n, r) => n + r.previous, 0),
      rows,
    };
  }
  const dead = await sources.deadDeliveries(from, to);
  model.deliveries = { count: dead.total, deadNow: dead.deadNow, rows: dead.rows };
  return model;
}

/**
 * True when nothing happened in the period in the sections the digest shows: no product came back,
 * moved or changed an alert, no event arrived, nothing failed to deliver. Products that simply stay
 * sold out, low or running out do not make a period worth a message; but a digest that shows only
 * those "now" sections is empty when those lists are.
 */
export function isEmptyDigest(model: DigestModel): boolean {
  const happened =
    (model.backInStock?.count ?? 0) +
    (model.topMovers?.count ?? 0) +
    (model.alerts ? model.alerts.opened + model.alerts.resolved : 0) +
    (model.events?.total ?? 0) +
    (model.deliveries?.count ?? 0);
  if (happened > 0) return false;
  const periodSections = model.sections.some((s) => s === "backInStock" || s === "topMovers" || s === "alerts" || s === "events");
  if (periodSections) return true;
  return (model.soldOut?.count ?? 0) + (model.low?.count ?? 0) + (model.runningOut?.count ?? 0) === 0;
}
