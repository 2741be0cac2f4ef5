import { lockHoldsOf, onLongHold } from "../db/write-transaction.js";
import { snapshotRules } from "../rules/rules-source.js";
import type { Engine, EngineStatus } from "./engine.js";
import { buildPipeline, type PipelineDeps } from "./build-pipeline.js";
import { createIngestPacer } from "./ingest-pacer.js";

export type LocalEngineDeps = Omit<PipelineDeps, "pace" | "eventRulesDelayMs">;

/**
 * The engine on the calling thread: the pipeline (build-pipeline.ts) and its loops. The HTTP
 * thread uses it directly for an in-memory database and the demo; the engine thread
 * (engine-thread.ts) runs it behind ThreadEngine's messages.
 */
export function createLocalEngine(deps: LocalEngineDeps): Engine {
  // While webhooks pour in, the stock jobs and the event rules' passes wait between rounds.
  const pacer = createIngestPacer();
  const pipeline = buildPipeline({
    ...deps,
    pace: () => pacer.pace(),
    eventRulesDelayMs: () => (pacer.busy() ? pacer.pauseMs : 5),
  });
  const { rules, stock, eventRules, delivery, services } = pipeline;
  let started = false;
  let stopped: Promise<void> | undefined;
  // Every writer of the engine cuts its work to the write budget; a long hold is a bug to report.
  onLongHold(deps.db, (label, ms) =>
    deps.logger.warn({ transaction: label, ms: Math.round(ms) }, "a write transaction held the database lock this long; webhook batches waited meanwhile"),
  );

  return {
    start: async () => {},
    noteIngested() {
      pacer.noteIngest();
      if (!started) return;
      stock.wake();
      eventRules.wake();
    },
    reportStorageFailure(message) {
      void pipeline.reporter.reportStorageFailure(new Error(message));
    },
    async startServices() {
      if (started || stopped) return;
      started = true;
      for (const s of services) s.start();
      rules.watch();
    },
    status(): EngineStatus {
      const running: Record<string, boolean> = {};
      for (const s of services) running[s.name] = s.running();
      return { services: running, shoptet: { ...pipeline.shoptet.stats }, lockHold: { ...lockHoldsOf(deps.db) } };
    },
    async runUntilIdle() {
      await stock.runUntilIdle();
      eventRules.runUntilIdle();
      pipeline.rulesEngine.tick();
      pipeline.release.drain();
      await delivery.runUntilIdle();
    },
    reloadRules: () => rules.reload(),
    wakeDelivery: () => delivery.wake(),
    onRules(listener) {
      const post = () => listener(snapshotRules(rules));
      rules.onStatus(post);
      post();
    },
    close() {
      stopped ??= (async () => {
        await Promise.all(services.map((s) => s.stop()));
        await pipeline.close();
      })();
      return stopped;
    },
  };
}
