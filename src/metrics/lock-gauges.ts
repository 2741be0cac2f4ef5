import { Gauge } from "prom-client";
import type { LockHoldStats } from "../db/write-transaction.js";
import { readCounter } from "./define.js";
import type { Metrics } from "./metrics.js";

/**
 * How long the engine held SQLite's write lock (webhook batches wait for it): read from the
 * engine's status when Prometheus scrapes. The engine cuts its work into transactions of about
 * 25 ms; the longest hold and the count over twice that say whether it keeps to it.
 */
export function registerLockGauges(metrics: Metrics, lockHold: () => LockHoldStats): void {
  const registry = metrics.registry;
  new Gauge({
    name: "stockwatch_write_lock_hold_max_seconds",
    help: "Longest time one write transaction of the engine held the database lock since start, and which one",
    labelNames: ["transaction"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const { maxMs, maxLabel } = lockHold();
      this.set({ transaction: maxLabel || "none" }, maxMs / 1000);
    },
  });
  readCounter(registry, "stockwatch_write_lock_holds_total", "Write transactions of the engine since start (counted by the engine thread)", () => lockHold().count);
  readCounter(registry, "stockwatch_write_lock_holds_over_budget_total", "Write transactions of the engine that held the lock over 50 ms since start", () => lockHold().overBudget);
}
