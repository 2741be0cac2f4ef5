import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { ForecastReader } from "../forecast/forecast-reader.js";
import { runningOutSoonAsync } from "../forecast/running-out.js";
import type { StockReadStore } from "../stock/stock-read-store.js";
import type { DigestScope, DigestSources } from "./digest-sources.js";
import type { DigestAlertRow, DigestReadStore } from "./digest-store.js";
import type { AlertRuleRow, BackInStockRow, LowRow, MoverRow, RunningOutRow, SoldOutRow } from "./digest-types.js";

/** Where digest sources read from; `reads` is made for the digest's scope of e-shops. */
export interface DigestStores {
  reads: DigestReadStore;
  stock: StockReadStore;
  /** The forecast reader, asked for when a digest shows "running out soon" (made once). */
  forecasts: () => ForecastReader;
}

/**
 * DigestSources over the stores. Stock sections use the stock read side (one query per e-shop of
 * the scope, which takes one); alerts, events and dead deliveries the digest read store (made for
 * the scope's e-shops); "running out soon" the forecast reader. Each method yields to the event
 * loop first (the forecasts also every few hundred products), so a digest built inside the daemon
 * lets webhook requests through.
 *
 * `products` globs are applied to the rows, since a glob list has no SQL equivalent. Event counts
 * and event-rule alerts are not about products, so the `products` filter does not narrow them.
 */
export function createDigestSources(stores: DigestStores, scope: DigestScope): DigestSources {
  const { reads, stock } = stores;
  const eshops = scope.eshops && scope.eshops.length ? [...scope.eshops] : null;
  const keep = (code: string) => scope.products === null || scope.products.test(code);
  const perEshop = <T>(read: (eshopId: number | undefined) => T[]): T[] =>
    eshops === null ? read(undefined) : eshops.flatMap((id) => read(id));
  const period = (from: number, to: number, id: number | undefined) => (id === undefined ? { from, to } : { from, to, eshopId: id });
  let forecasts: ForecastReader | undefined;

  return {
    async soldOutNow(): Promise<SoldOutRow[]> {
      await yieldToLoop();
      return perEshop((id) => stock.soldOutNow(id))
        .filter((p) => keep(p.code))
        .map((p) => ({ eshopId: p.eshopId, code: p.code, name: p.name, since: p.sinceMs }))
        .sort((a, b) => a.since - b.since || a.eshopId - b.eshopId || cmp(a.code, b.code));
    },

    async lowNow(): Promise<LowRow[]> {
      await yieldToLoop();
      return perEshop((id) => stock.lowNow(id))
        .filter((p) => keep(p.code))
        .map((p) => ({ eshopId: p.eshopId, code: p.code, name: p.name, quantity: p.quantity, minStockSupply: p.minStockSupply, since: p.sinceMs }))
        .sort((a, b) => a.since - b.since || a.eshopId - b.eshopId || cmp(a.code, b.code));
    },

    async runningOutSoon(now, forecast, limit): Promise<{ count: number; rows: RunningOutRow[] }> {
      await yieldToLoop();
      forecasts ??= stores.forecasts();
      const options = { leadTimeFor: (code: string) => forecast.leadTimeFor(code), settings: forecast.settings, eshops, products: scope.products, limit };
      const section = await runningOutSoonAsync(forecasts, now, options, yieldToLoop);
      return { count: section.count, rows: section.rows.map(runningOutRow) };
    },

    async backInStock(from, to): Promise<BackInStockRow[]> {
      await yieldToLoop();
      return perEshop((id) => stock.backInStock(period(from, to, id)))
        .filter((p) => keep(p.code))
        .map((p) => ({ eshopId: p.eshopId, code: p.code, name: p.name, at: p.at, outForMs: p.outForMs, quantity: p.quantity }))
        .sort((a, b) => a.at - b.at || cmp(a.code, b.code));
    },

    async topMovers(from, to, n): Promise<MoverRow[]> {
      await yieldToLoop();
      // With a product filter the SQL limit would cut before the filter: ask for every product then.
      const limit = scope.products === null ? n : 1_000_000;
      return perEshop((id) => stock.biggestOutflow({ ...period(from, to, id), limit }))
        .filter((p) => keep(p.code))
        .sort((a, b) => b.outflow - a.outflow || cmp(a.code, b.code))
        .slice(0, n)
        .map((p) => ({ eshopId: p.eshopId, code: p.code, name: p.name, outflow: p.outflow, inflow: p.inflow, movements: p.movements, quantityNow: p.quantityNow }));
    },

    async alertsByRule(from, to): Promise<AlertRuleRow[]> {
      await yieldToLoop();
      return alertsByRule(reads, from, to, (a) => a.kind !== "stock" || keep(a.subject));
    },

    async eventCounts(from, to): Promise<Map<string, number>> {
      await yieldToLoop();
      const counts = new Map<string, number>();
      for (const type of reads.eventTypes()) {
        const n = reads.eventCount(type, from, to);
        if (n > 0) counts.set(type, n);
      }
      return counts;
    },

    async deadDeliveries(from, to, limit = 20) {
      await yieldToLoop();
      return reads.deadDeliveries(from, to, limit);
    },
  };
}

/** Alerts opened and resolved in [from, to) per rule (with up to 5 example subjects), and those open now. */
function alertsByRule(reads: DigestReadStore, from: number, to: number, inScope: (a: DigestAlertRow) => boolean): AlertRuleRow[] {
  const byRule = new Map<string, AlertRuleRow>();
  const entry = (a: DigestAlertRow) => {
    let row = byRule.get(a.rule);
    if (!row) {
      row = { rule: a.rule, severity: a.severity, opened: 0, resolved: 0, openNow: 0, examples: [] };
      byRule.set(a.rule, row);
    }
    return row;
  };
  for (const a of reads.alertsInPeriod(from, to)) {
    if (!inScope(a)) continue;
    const row = entry(a);
    row.severity = a.severity;
    if (a.openedAt >= from && a.openedAt < to) {
      row.opened++;
      if (row.examples.length < 5 && !row.examples.includes(a.subject)) row.examples.push(a.subject);
    }
    if (a.resolvedAt !== null && a.resolvedAt >= from && a.resolvedAt < to) row.resolved++;
  }
  for (const a of reads.openAlerts()) {
    if (!inScope(a)) continue;
    const row = entry(a);
    row.openNow++;
    if (a.acknowledgedBy !== null) row.acknowledgedNow = (row.acknowledgedNow ?? 0) + 1;
  }
  return [...byRule.values()].sort((a, b) => b.opened - a.opened || b.openNow - a.openNow || cmp(a.rule, b.rule));
}

/** The fields of a "running out soon" row, in the order the digest shows them. */
const RUNNING_OUT_FIELDS = ["eshopId", "code", "name", "quantity", "velocityPerDay", "daysOfCover", "runOutAt", "leadTimeDays", "reorderQuantity"] as const;

/** The row with only its RunningOutRow fields (a forecast carries more). */
function runningOutRow(r: RunningOutRow): RunningOutRow {
  return Object.fromEntries(RUNNING_OUT_FIELDS.map((k) => [k, r[k]])) as unknown as RunningOutRow;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
