/**
 * The engine thread: owns the database's writes (webhook batches and the whole pipeline), so the
 * HTTP thread keeps reading and verifying requests while commits, stock reads, rules and
 * deliveries run here. Messages in and out are described in engine-protocol.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase, type Db } from "../db/open-database.js";
import { WalSyncer } from "../db/wal-syncer.js";
import { unpackBatch, type WriteResult } from "../receiver/accepted-webhook.js";
import { systemClock } from "../shared/clock.js";
import { ConfigError } from "../shared/errors.js";
import { createLogger } from "../shared/logger.js";
import { createEngineCore, type EngineCore } from "./engine-core.js";
import type { EngineInit, EngineReply, EngineRequest } from "./engine-protocol.js";

const port = parentPort!;
const init = workerData as EngineInit;
const post = (reply: EngineReply) => port.postMessage(reply);

// Log lines are written by the HTTP thread's logger, so both threads share one stream and order.
const logger = createLogger(init.logLevel, { write: (line: string) => post({ type: "log", line }) });

let ingestDb: Db | undefined;
let pipelineDb: Db | undefined;
let core: EngineCore;
try {
  ingestDb = openDatabase(init.dbPath, { migrate: false });
  ingestDb.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
  // Webhook commits are made durable by walSyncer below, off this thread, before any 200.
  ingestDb.pragma("synchronous = NORMAL");
  pipelineDb = openDatabase(init.dbPath, { migrate: false });
  // The pipeline's state is derived from the stored events: a crash of the process loses none of
  // it (WAL), and a power cut loses at most its last moments, which are then redone from the
  // events. So its commits do not wait for the disk (the next webhook flush covers them anyway).
  pipelineDb.pragma("synchronous = NORMAL");
  // Webhook batches wait behind whatever this thread is doing: the pipeline may not wait longer
  // for a lock (a CLI command's write) than a batch may; its loops retry what did not get it.
  pipelineDb.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
  core = createEngineCore({ ingestDb, pipelineDb, settings: init.settings, clock: systemClock, logger, options: init.options });
} catch (error) {
  ingestDb?.close();
  pipelineDb?.close();
  post({ type: "failed", message: (error as Error).message, config: error instanceof ConfigError });
  port.close();
  throw error;
}

const walSyncer = new WalSyncer(`${init.dbPath}-wal`);
let statusTimer: NodeJS.Timeout | undefined;
const sendStatus = () => post({ type: "status", status: core.status() });

port.on("message", (request: EngineRequest) => {
  switch (request.type) {
    case "write": {
      let results: WriteResult[];
      try {
        results = core.ingest(unpackBatch(request.packed));
      } catch (error) {
        post({ type: "written", id: request.id, error: (error as Error).message });
        return;
      }
      walSyncer.sync().then(
        () => post({ type: "written", id: request.id, results }),
        (error: NodeJS.ErrnoException) => {
          const message = `the database's -wal file could not be flushed to disk (${error.code ?? error.message}): check the disk holding STOCKWATCH_DB`;
          core.pipeline.reportStorageFailure(new Error(message));
          post({ type: "written", id: request.id, error: message });
        },
      );
      return;
    }
    case "start":
      core.startServices();
      post({ type: "started", status: core.status() });
      statusTimer ??= setInterval(sendStatus, 1000);
      return;
    case "idle":
      core.runUntilIdle().then(
        () => post({ type: "idle", id: request.id }),
        (error: unknown) => post({ type: "idle", id: request.id, error: (error as Error).message }),
      );
      return;
    case "reload-rules":
      core.reloadRules();
      return;
    case "wake-delivery":
      core.wakeDelivery();
      return;
    case "stop":
      if (statusTimer) clearInterval(statusTimer);
      core
        .stop()
        .then(() => walSyncer.close())
        .finally(() => {
          sendStatus();
          ingestDb!.close();
          pipelineDb!.close();
          post({ type: "stopped" });
          port.close();
        });
      return;
  }
});
post({ type: "ready", status: core.status() });
