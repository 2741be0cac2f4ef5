import { Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { readBuildInfo, type BuildInfo } from "./build-info.js";
import { counter, histogram } from "./define.js";

/**
 * Metrics holds every Prometheus metric of one app instance in its own registry (no global state,
 * so tests can run several apps in one process). Node's process metrics keep their standard
 * names (`process_cpu_seconds_total`, `nodejs_eventloop_lag_seconds`, ...) so stock dashboards work.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly r = this.registry;

  readonly webhooks = counter(this.r, "stockwatch_webhooks_total", "Webhooks received, by event type and outcome (stored, duplicate, rejected)", [
    "event",
    "outcome",
  ]);
  readonly webhookRejections = counter(this.r, "stockwatch_webhook_rejections_total", "Webhooks refused before storage, by reason", ["reason"]);
  readonly unknownEvents = counter(this.r, "stockwatch_unknown_event_types_total", "Well-formed webhooks whose event type is not in the catalog (stored anyway)");
  readonly ingestLatency = histogram(this.r, "stockwatch_ingest_duration_seconds", "Time from request start to the acknowledged (committed) answer", [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 1,
  ]);
  readonly ingestBatch = histogram(this.r, "stockwatch_ingest_batch_size", "Webhooks committed per transaction (group commit)", [
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024,
  ]);
  readonly ingestLockWaits = counter(this.r, "stockwatch_ingest_lock_waits_total", "Times a webhook batch found the database write lock taken and tried again");
  readonly ingestLockWait = histogram(this.r, "stockwatch_ingest_lock_wait_seconds", "How long a webhook batch that found the write lock taken waited for it", [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2,
  ]);
  readonly storageErrors = counter(this.r, "stockwatch_storage_errors_total", "Failed database writes on the webhook path (answered 503)");
  constructor(options: { defaultMetrics?: boolean; build?: BuildInfo } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    const build = options.build ?? readBuildInfo();
    new Gauge({
      name: "stockwatch_build_info",
      help: "1, labelled with the version of stockwatch and of Node.js that run",
      labelNames: ["version", "node"],
      registers: [this.registry],
    }).set(build, 1);
  }
}
