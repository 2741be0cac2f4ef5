import { Gauge, Histogram, type Registry } from "prom-client";
import type { Clock } from "../shared/clock.js";
import { readCounter, readLabelled } from "./define.js";
import type { Metrics } from "./metrics.js";
import type { CountedRows, MetricsStore } from "./metrics-store.js";
import { NOTHING_SENT, takeNewlySent } from "./sent-watermark.js";

/** Shoptet API call counts of the engine since it started. */
export interface ShoptetCallStats {
  requests: number;
  retries: number;
  rateLimited: number;
  failures: number;
}

const COUNTED: { rows: CountedRows; type: "gauge" | "counter"; name: string; help: string; labelNames: string[] }[] = [
  { rows: "jobs", type: "gauge", name: "stockwatch_jobs", help: "Worker jobs by kind and status", labelNames: ["kind", "status"] },
  { rows: "deliveries", type: "gauge", name: "stockwatch_deliveries", help: "Outbox deliveries by channel and status", labelNames: ["channel", "status"] },
  { rows: "alerts", type: "gauge", name: "stockwatch_alerts", help: "Alerts by rule and state (opened = open + resolved)", labelNames: ["rule", "state"] },
  { rows: "products", type: "gauge", name: "stockwatch_products", help: "Products by stock level", labelNames: ["level"] },
  { rows: "digestRuns", type: "gauge", name: "stockwatch_digest_runs", help: "Digest runs by digest and status", labelNames: ["digest", "status"] },
  // Kept in the database by whoever recovers (daemon or `stockwatch recover`): it only grows.
  {
    rows: "recoveredEvents",
    type: "counter",
    name: "stockwatch_recovered_events_total",
    help: "Events stored from Shoptet's notification log (webhooks Shoptet gave up on), by event type, ever",
    labelNames: ["event"],
  },
];

const SHOPTET: { key: keyof ShoptetCallStats; name: string; help: string }[] = [
  { key: "requests", name: "stockwatch_shoptet_requests_total", help: "Shoptet API requests sent since start (each attempt)" },
  { key: "retries", name: "stockwatch_shoptet_retries_total", help: "Shoptet API requests that were another attempt of a call, since start" },
  { key: "rateLimited", name: "stockwatch_shoptet_rate_limited_total", help: "Shoptet API answers 429 (rate limited) since start" },
  { key: "failures", name: "stockwatch_shoptet_failures_total", help: "Shoptet API calls given up on since start" },
];

/**
 * The metrics read when Prometheus scrapes: what is queued, open and failing now (from the store),
 * the engine's Shoptet call counts, how long sent deliveries took and when each digest last
 * succeeded. The engine runs in another thread; the store is what both threads see.
 */
export function registerStoreMetrics(metrics: Metrics, deps: { store: MetricsStore; clock: Clock; shoptetStats: () => ShoptetCallStats }): void {
  const { store, clock } = deps;
  const registry = metrics.registry;
  for (const { rows, ...spec } of COUNTED) readLabelled(registry, spec, () => store.counts(rows));
  for (const { key, name, help } of SHOPTET) readCounter(registry, name, help, () => deps.shoptetStats()[key]);
  new Gauge({
    name: "stockwatch_jobs_oldest_pending_age_seconds",
    help: "Age of the oldest job waiting to run (0 when none)",
    registers: [registry],
    collect() {
      const oldest = store.oldestPendingJobAt();
      this.set(oldest ? Math.max(0, (clock.now() - oldest) / 1000) : 0);
    },
  });
  new Gauge({
    name: "stockwatch_digest_last_success_timestamp_seconds",
    help: "When the newest successful run of each digest (queued to the outbox, or empty) finished, Unix time",
    labelNames: ["digest"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { digest, at } of store.lastDigestSuccess()) this.set({ digest }, at / 1000);
    },
  });
  registerDeliveryLatency(registry, store);
}

/**
 * Delivery latency, observed when Prometheus scrapes for the outbox rows sent since the scrape
 * before. Rows sent before this start are not observed; each row sent after it is, once.
 */
function registerDeliveryLatency(registry: Registry, store: MetricsStore): void {
  let mark = NOTHING_SENT;
  const last = store.lastSentAt();
  if (last !== null) mark = takeNewlySent(store.sentSince(last), mark).mark;
  new Histogram({
    name: "stockwatch_delivery_latency_seconds",
    help: "Time from an outbox row being created to it being sent, by channel",
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    labelNames: ["channel"],
    registers: [registry],
    collect() {
      const taken = takeNewlySent(store.sentSince(Math.max(0, mark.at)), mark);
      mark = taken.mark;
      for (const r of taken.fresh) this.observe({ channel: r.channel }, Math.max(0, r.sentAt - r.createdAt) / 1000);
    },
  });
}
