import { setImmediate as yieldToLoop } from "node:timers/promises";
import type { Db } from "../db/open-database.js";
import { createForecastReader, type ForecastReader } from "../forecast/forecast-reader.js";
import { runningOutSoonAsync } from "../forecast/running-out.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import type { DigestScope, DigestSources } from "./digest-sources.js";
import type { AlertRuleRow, BackInStockRow, DeadDeliveryRow, LowRow, MoverRow, RunningOutRow, SoldOutRow } from "./digest-types.js";

/**
 * DigestSources over the stockwatch SQLite database. Stock sections use the stock module's read
 * queries (StockReadStore); alerts, events and the outbox are read with SQL here, on the tables of
 * migrations 0001, 0003 and 0004 and the indexes of 0005; "running out soon" uses the forecast
 * reader (migration 0006). Each method yields to the event loop first (the forecasts also every
 * few hundred products), so a digest built inside the daemon lets webhook requests through.
 *
 * Scope: `eshops` is applied in SQL (one query per e-shop for the stock queries, which take one);
 * `products` globs are applied to the rows, since a glob list has no SQL equivalent. Event counts and
 * event-rule alerts are not about products, so the `products` filter does not narrow them.
 */
export function createSqliteDigestSources(db: Db, scope: DigestScope = { eshops: null, products: null }): DigestSources {
  const eshops = scope.eshops && scope.eshops.length ? [...scope.eshops] : null;
  const keep = (code: string) => scope.products === null || scope.products.test(code);
  const perEshop = <T>(read: (eshopId: number | undefined) => T[]): T[] =>
    eshops === null ? read(undefined) : eshops.flatMap((id) => read(id));
  const eshopSql = (column: string) => (eshops === null ? "" : ` AND ${column} IN (${eshops.map(() => "?").join(", ")})`);
  const eshopParams = eshops ?? [];
  const stock = new SqliteStockReadStore(db);

  // Every stored event type, by hopping from one type to the next in the index (a few dozen seeks,
  // not a scan); then one covering range count per type. Much faster than GROUP BY over a busy
  // period, which would sort every event of it.
  const eventTypes = db.prepare<[], string>(
    `WITH RECURSIVE t(e) AS (
       SELECT min(event) FROM events
       UNION ALL
       SELECT (SELECT min(event) FROM events WHERE event > t.e) FROM t WHERE t.e IS NOT NULL)
     SELECT e FROM t WHERE e IS NOT NULL`,
  ).pluck();
  const eventCount = db.prepare<unknown[], number>(
    `SELECT count(*) FROM events WHERE event = ? AND received_at >= ? AND received_at < ?${eshopSql("eshop_id")}`,
  ).pluck();
  const alertsInPeriod = db.prepare<unknown[], AlertRow>(
    `SELECT rule, kind, severity, eshop_id, subject, opened_at, resolved_at FROM alerts
      WHERE ((opened_at >= ? AND opened_at < ?) OR (resolved_at >= ? AND resolved_at < ?))${eshopSql("eshop_id")}
      ORDER BY id`,
  );
  const alertsOpen = db.prepare<unknown[], AlertRow & { acknowledged_by: string | null }>(
    `SELECT rule, kind, severity, eshop_id, subject, opened_at, resolved_at, acknowledged_by FROM alerts
      WHERE state = 'open'${eshopSql("eshop_id")}`,
  );
  const deadRows = db.prepare<[number, number, number], DeadRow>(
    `SELECT id, channel, kind, summary, attempts, last_error, updated_at FROM outbox
      WHERE status = 'dead' AND updated_at >= ? AND updated_at < ?
      ORDER BY updated_at DESC, id DESC LIMIT ?`,
  );
  const deadCount = db.prepare<[number, number], { n: number }>(
    "SELECT count(*) AS n FROM outbox WHERE status = 'dead' AND updated_at >= ? AND updated_at < ?",
  );
  const deadNow = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM outbox WHERE status = 'dead'");
  let forecasts: ForecastReader | undefined; // prepared when a digest shows "running out soon"

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
        .map((p) => ({
          eshopId: p.eshopId,
          code: p.code,
          name: p.name,
          quantity: p.quantity,
          minStockSupply: p.minStockSupply,
          since: p.sinceMs,
        }))
        .sort((a, b) => a.since - b.since || a.eshopId - b.eshopId || cmp(a.code, b.code));
    },

    async runningOutSoon(now, forecast, limit): Promise<{ count: number; rows: RunningOutRow[] }> {
      await yieldToLoop();
      forecasts ??= createForecastReader(db);
      const section = await runningOutSoonAsync(
        forecasts,
        now,
        { leadTimeFor: (code) => forecast.leadTimeFor(code), settings: forecast.settings, eshops, products: scope.products, limit },
        yieldToLoop,
      );
      return {
        count: section.count,
        rows: section.rows.map((r) => ({
          eshopId: r.eshopId,
          code: r.code,
          name: r.name,
          quantity: r.quantity,
          velocityPerDay: r.velocityPerDay,
          daysOfCover: r.daysOfCover,
          runOutAt: r.runOutAt,
          leadTimeDays: r.leadTimeDays,
          reorderQuantity: r.reorderQuantity,
        })),
      };
    },

    async backInStock(from, to): Promise<BackInStockRow[]> {
      await yieldToLoop();
      return perEshop((id) => stock.backInStock(id === undefined ? { from, to } : { from, to, eshopId: id }))
        .filter((p) => keep(p.code))
        .map((p) => ({ eshopId: p.eshopId, code: p.code, name: p.name, at: p.at, outForMs: p.outForMs, quantity: p.quantity }))
        .sort((a, b) => a.at - b.at || cmp(a.code, b.code));
    },

    async topMovers(from, to, n): Promise<MoverRow[]> {
      await yieldToLoop();
      // With a product filter the SQL limit would cut before the filter: ask for every product then.
      const limit = scope.products === null ? n : 1_000_000;
      return perEshop((id) => stock.biggestOutflow(id === undefined ? { from, to, limit } : { from, to, eshopId: id, limit }))
        .filter((p) => keep(p.code))
        .sort((a, b) => b.outflow - a.outflow || cmp(a.code, b.code))
        .slice(0, n)
        .map((p) => ({
          eshopId: p.eshopId,
          code: p.code,
          name: p.name,
          outflow: p.outflow,
          inflow: p.inflow,
          movements: p.movements,
          quantityNow: p.quantityNow,
        }));
    },

    async alertsByRule(from, to): Promise<AlertRuleRow[]> {
      await yieldToLoop();
      const inScope = (a: AlertRow) => a.kind !== "stock" || keep(a.subject);
      const byRule = new Map<string, AlertRuleRow>();
      const entry = (a: AlertRow) => {
        let row = byRule.get(a.rule);
        if (!row) {
          row = { rule: a.rule, severity: a.severity, opened: 0, resolved: 0, openNow: 0, examples: [] };
          byRule.set(a.rule, row);
        }
        return row;
      };
      for (const a of alertsInPeriod.iterate(from, to, from, to, ...eshopParams)) {
        if (!inScope(a)) continue;
        const row = entry(a);
        row.severity = a.severity;
        if (a.opened_at >= from && a.opened_at < to) {
          row.opened++;
          if (row.examples.length < 5 && !row.examples.includes(a.subject)) row.examples.push(a.subject);
        }
        if (a.resolved_at !== null && a.resolved_at >= from && a.resolved_at < to) row.resolved++;
      }
      for (const a of alertsOpen.iterate(...eshopParams)) {
        if (!inScope(a)) continue;
        const row = entry(a);
        row.openNow++;
        if (a.acknowledged_by !== null) row.acknowledgedNow = (row.acknowledgedNow ?? 0) + 1;
      }
      return [...byRule.values()].sort((a, b) => b.opened - a.opened || b.openNow - a.openNow || cmp(a.rule, b.rule));
    },

    async eventCounts(from, to): Promise<Map<string, number>> {
      await yieldToLoop();
      const counts = new Map<string, number>();
      for (const type of eventTypes.all()) {
        const n = eventCount.get(type, from, to, ...eshopParams) ?? 0;
        if (n > 0) counts.set(type, n);
      }
      return counts;
    },

    async deadDeliveries(from, to, limit = 20) {
      await yieldToLoop();
      const rows: DeadDeliveryRow[] = deadRows.all(from, to, limit).map((r) => ({
        id: r.id,
        channel: r.channel,
        kind: r.kind,
        summary: r.summary,
        attempts: r.attempts,
        lastError: r.last_error,
        at: r.updated_at,
      }));
      return { total: deadCount.get(from, to)?.n ?? 0, deadNow: deadNow.get()?.n ?? 0, rows };
    },
  };
}

interface AlertRow {
  rule: string;
  kind: string;
  severity: string;
  eshop_id: number;
  subject: string;
  opened_at: number;
  resolved_at: number | null;
}

interface DeadRow {
  id: number;
  channel: string;
  kind: string;
  summary: string;
  attempts: number;
  last_error: string | null;
  updated_at: number;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

