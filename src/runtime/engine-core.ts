import type { Db } from "../db/open-database.js";
import { describeStorageError } from "../db/storage-errors.js";
import { EventRepo, type IncomingEvent } from "../events/event-repo.js";
import { storeRows, type WriteResult } from "../receiver/accepted-webhook.js";
import type { ShoptetClientStats } from "../shoptet/shoptet-client.js";
import { buildPipeline, type Pipeline, type PipelineDeps } from "./build-pipeline.js";
import { createIngestPacer } from "./ingest-pacer.js";

/** What the HTTP side shows of the engine: which loops run, and the Shoptet call counters. */
export interface EngineStatus {
  services: Record<string, boolean>;
  shoptet: ShoptetClientStats;
}

export type EngineCoreDeps = Omit<PipelineDeps, "db" | "pace"> & {
  /**
   * The connection webhook batches are committed on. The caller makes a batch durable before
   * answering: synchronous=FULL in-process, a flush of the -wal file on the engine thread.
   */
  ingestDb: Db;
  /** The connection the pipeline works on (may be the same as ingestDb). */
  pipelineDb: Db;
};

/**
 * The engine is every writer of the database in one place: the webhook batches and the pipeline
 * behind them (stock reads, rules, outbox, delivery, digests). Running all of it on one thread —
 * not the HTTP thread — means the writes never wait for each other's locks, and the HTTP thread
 * never waits for any of them.
 */
export interface EngineCore {
  /** Commits a batch of webhooks in one transaction; throws (a one-line storage error) when it cannot. */
  ingest(rows: readonly (IncomingEvent | Error)[]): WriteResult[];
  startServices(): void;
  status(): EngineStatus;
  runUntilIdle(): Promise<void>;
  reloadRules(): void;
  wakeDelivery(): void;
  /** Stops the loops and closes what the pipeline opened (not the connections). */
  stop(): Promise<void>;
  readonly pipeline: Pipeline;
}

export function createEngineCore(deps: EngineCoreDeps): EngineCore {
  const pacer = createIngestPacer();
  const pipeline = buildPipeline({
    pace: () => pacer.pace(),
    db: deps.pipelineDb,
    settings: deps.settings,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.options ? { options: deps.options } : {}),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.rules ? { rules: deps.rules } : {}),
  });
  const events = new EventRepo(deps.ingestDb);
  let started = false;
  let stopped = false;

  return {
    pipeline,
    ingest(rows) {
      let results: WriteResult[];
      try {
        results = storeRows((batch) => events.insertBatch(batch), rows);
      } catch (error) {
        // Webhooks that cannot be stored are answered 503 (Shoptet retries); people are told too.
        pipeline.reportStorageFailure(error);
        throw new Error(describeStorageError(error));
      }
      pacer.noteIngest();
      if (started) pipeline.wake();
      return results;
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
      return { services, shoptet: { ...pipeline.shoptet.stats } };
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
