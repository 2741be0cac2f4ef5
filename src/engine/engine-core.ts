import { lockHoldsOf, onLongHold, type LockHoldStats } from "../db/write-transaction.js";
import type { ShoptetClientStats } from "../shoptet/shoptet-client.js";
import { buildPipeline, type Pipeline, type PipelineDeps } from "./build-pipeline.js";
import { createIngestPacer } from "./ingest-pacer.js";

/** What the HTTP side shows of the engine: which loops run, and the Shoptet call counters. */
export interface EngineStatus {
  services: Record<string, boolean>;
  shoptet: ShoptetClientStats;
  /** How long the engine's write transactions held the database lock. */
  lockHold: LockHoldStats;
}

export type EngineCoreDeps = Omit<PipelineDeps, "pace" | "eventRulesDelayMs">;

/**
 * The engine is the pipeline behind the receiver (stock reads, rules, outbox, delivery, digests,
 * reminders) and the loops that drive it. The receiver commits webhooks on its own connection and
 * tells the engine with `noteIngested`; running the engine on its own thread keeps its work —
 * and its waits for the disk and for Shoptet — off the thread that answers webhooks.
 */
export interface EngineCore {
  /** Webhooks were committed: look at them soon; while they keep coming, pace the stock jobs. */
  noteIngested(): void;
  /** Webhooks could not be stored: the emergency path (log, and tell the rules' channels directly). */
  reportStorageFailure(message: string): void;
  startServices(): void;
  status(): EngineStatus;
  runUntilIdle(): Promise<void>;
  reloadRules(): void;
  wakeDelivery(): void;
  /** Stops the loops and closes what the pipeline opened (not the connection). */
  stop(): Promise<void>;
  readonly pipeline: Pipeline;
}

export function createEngineCore(deps: EngineCoreDeps): EngineCore {
  const pacer = createIngestPacer();
  const pipeline = buildPipeline({
    ...deps,
    pace: () => pacer.pace(),
    eventRulesDelayMs: () => (pacer.busy() ? pacer.pauseMs : 5),
  });
  let started = false;
  let stopped = false;
  // Every writer of the engine cuts its work to the write budget; a long hold is a bug to report.
  onLongHold(deps.db, (label, ms) =>
    deps.logger.warn({ transaction: label, ms: Math.round(ms) }, "a write transaction held the database lock this long; webhook batches waited meanwhile"),
  );

  return {
    pipeline,
    noteIngested() {
      pacer.noteIngest();
      if (started) pipeline.wake();
    },
    reportStorageFailure(message) {
      pipeline.reportStorageFailure(new Error(message));
    },
    startServices() {
      if (started || stopped) return;
      started = true;
      for (const s of pipeline.services) s.start();
      pipeline.rules.watch();
    },
    status() {
      const services: Record<string, boolean> = {};
      for (const s of pipeline.services) services[s.name] = s.running();
      return { services, shoptet: { ...pipeline.shoptet.stats }, lockHold: { ...lockHoldsOf(deps.db) } };
    },
    runUntilIdle: () => pipeline.runUntilIdle(),
    reloadRules: () => pipeline.rules.reload(),
    wakeDelivery: () => pipeline.wakeDelivery(),
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(pipeline.services.map((s) => s.stop()));
      await pipeline.close();
    },
  };
}
