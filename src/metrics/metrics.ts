import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Metrics holds every Prometheus metric of one app instance in its own registry (no global state,
 * so tests can run several apps in one process).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly webhooks = new Counter({
    name: "stockwatch_webhooks_total",
    help: "Webhooks received, by event type and outcome (stored, duplicate, rejected)",
    labelNames: ["event", "outcome"] as const,
    registers: [this.registry],
  });

  readonly webhookRejections = new Counter({
    name: "stockwatch_webhook_rejections_total",
    help: "Webhooks refused before storage, by reason",
    labelNames: ["reason"] as const,
    registers: [this.registry],
  });

  readonly unknownEvents = new Counter({
    name: "stockwatch_unknown_event_types_total",
    help: "Well-formed webhooks whose event type is not in the catalog (stored anyway)",
    registers: [this.registry],
  });

  readonly ingestLatency = new Histogram({
    name: "stockwatch_ingest_duration_seconds",
    help: "Time from request start to the acknowledged (committed) answer",
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly ingestBatch = new Histogram({
    name: "stockwatch_ingest_batch_size",
    help: "Webhooks committed per transaction (group commit)",
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    registers: [this.registry],
  });

  readonly ingestLockWaits = new Counter({
    name: "stockwatch_ingest_lock_waits_total",
    help: "Times a webhook batch found the database write lock taken and tried again",
    registers: [this.registry],
  });

  readonly ingestLockWait = new Histogram({
    name: "stockwatch_ingest_lock_wait_seconds",
    help: "How long a webhook batch that found the write lock taken waited for it",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2],
    registers: [this.registry],
  });

  readonly storageErrors = new Counter({
    name: "stockwatch_storage_errors_total",
    help: "Failed database writes on the webhook path (answered 503)",
    registers: [this.registry],
  });

  readonly up = new Gauge({
    name: "stockwatch_up",
    help: "1 while the daemon runs",
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "stockwatch_" });
    this.up.set(1);
  }
}
