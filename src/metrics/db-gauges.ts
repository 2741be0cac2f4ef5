import { Counter, Gauge } from "prom-client";
import type { Db } from "../db/open-database.js";
import type { Clock } from "../shared/clock.js";
import type { Metrics } from "./metrics.js";

/**
 * Gauges read from the database when Prometheus scrapes: what is queued, open and failing now.
 * Reading at scrape time keeps the hot paths free of metric bookkeeping and stays true across
 * restarts and CLI actions (a `deliveries retry` shows up at the next scrape).
 */
export function registerDbGauges(
  metrics: Metrics,
  deps: { db: Db; clock: Clock; shoptetStats: () => { requests: number; retries: number; rateLimited: number; failures: number } },
): void {
  const { db, clock } = deps;
  const registers = [metrics.registry];
  const safeAll = <T>(sql: string): T[] => {
    try {
      return db.prepare(sql).all() as T[];
    } catch {
      return []; // a table another version has not created yet
    }
  };

  new Gauge({
    name: "stockwatch_jobs",
    help: "Worker jobs by kind and status",
    labelNames: ["kind", "status"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ kind: string; status: string; n: number }>("SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status")) {
        this.set({ kind: r.kind, status: r.status }, r.n);
      }
    },
  });
  new Gauge({
    name: "stockwatch_jobs_oldest_pending_age_seconds",
    help: "Age of the oldest job waiting to run (0 when none)",
    registers,
    collect() {
      const row = safeAll<{ oldest: number | null }>("SELECT min(created_at) AS oldest FROM jobs WHERE status IN ('pending', 'running')")[0];
      this.set(row?.oldest ? Math.max(0, (clock.now() - row.oldest) / 1000) : 0);
    },
  });
  new Gauge({
    name: "stockwatch_deliveries",
    help: "Outbox deliveries by channel and status",
    labelNames: ["channel", "status"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ channel: string; status: string; n: number }>("SELECT channel, status, count(*) AS n FROM outbox GROUP BY channel, status")) {
        this.set({ channel: r.channel, status: r.status }, r.n);
      }
    },
  });
  new Gauge({
    name: "stockwatch_alerts",
    help: "Alerts by rule and state (opened = open + resolved)",
    labelNames: ["rule", "state"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ rule: string; state: string; n: number }>("SELECT rule, state, count(*) AS n FROM alerts GROUP BY rule, state")) {
        this.set({ rule: r.rule, state: r.state }, r.n);
      }
    },
  });
  new Gauge({
    name: "stockwatch_products",
    help: "Products by stock level",
    labelNames: ["level"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ level: string; n: number }>("SELECT level, count(*) AS n FROM stock_products GROUP BY level")) {
        this.set({ level: r.level }, r.n);
      }
    },
  });
  new Gauge({
    name: "stockwatch_digest_runs",
    help: "Digest runs by digest and status",
    labelNames: ["digest", "status"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ digest: string; status: string; n: number }>("SELECT digest, status, count(*) AS n FROM digest_runs GROUP BY digest, status")) {
        this.set({ digest: r.digest, status: r.status }, r.n);
      }
    },
  });
  // A counter kept in the database by whoever recovers (daemon or `stockwatch recover`, either
  // thread or process), read at scrape time: it only grows, so it is exposed as a counter.
  new Counter({
    name: "stockwatch_recovered_events_total",
    help: "Events stored from Shoptet's notification log (webhooks Shoptet gave up on), by event type, ever",
    labelNames: ["event"] as const,
    registers,
    collect() {
      this.reset();
      for (const r of safeAll<{ event: string; n: number }>("SELECT event, n FROM recovered_event_counts")) this.inc({ event: r.event }, r.n);
    },
  });
  new Gauge({
    name: "stockwatch_shoptet_api_calls",
    help: "Shoptet API calls since start, by outcome (requests, retries, rate_limited = 429s, failures)",
    labelNames: ["outcome"] as const,
    registers,
    collect() {
      const s = deps.shoptetStats();
      this.set({ outcome: "requests" }, s.requests);
      this.set({ outcome: "retries" }, s.retries);
      this.set({ outcome: "rate_limited" }, s.rateLimited);
      this.set({ outcome: "failures" }, s.failures);
    },
  });
}
