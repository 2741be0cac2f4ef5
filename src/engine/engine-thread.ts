/**
 * The engine thread: runs the pipeline (stock reads, rules, outbox, delivery, digests, reminders)
 * so that none of it — nor its waits for Shoptet, Slack or SMTP — runs on the thread that answers
 * webhooks. It also checkpoints the WAL, which the HTTP thread's commits never do. Messages in and
 * out are described in engine-protocol.ts.
 */
import { statSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase, WAL_SIZE_LIMIT_BYTES, type Db } from "../db/open-database.js";
import { recordHold } from "../db/write-transaction.js";
import { systemClock } from "../shared/clock.js";
import { ConfigError } from "../shared/errors.js";
import { createLogger } from "../shared/logger.js";
import { createEngineCore, type EngineCore } from "./engine-core.js";
import type { EngineInit, EngineReply, EngineRequest } from "./engine-protocol.js";
import { snapshotRules } from "../rules/rules-source.js";

const port = parentPort!;
const init = workerData as EngineInit;
const post = (reply: EngineReply) => port.postMessage(reply);

// Log lines are written by the HTTP thread's logger, so both threads share one stream and order.
const logger = createLogger(init.logLevel, { write: (line: string) => post({ type: "log", line }) });

let db: Db | undefined;
let core: EngineCore;
try {
  db = openDatabase(init.dbPath, { migrate: false });
  // The pipeline's state is derived from the stored events: a crash of the process loses none of
  // it (WAL), and a power cut loses at most its last moments, which are then redone from the
  // events. So its commits do not wait for the disk (the next webhook flush covers them anyway).
  db.pragma("synchronous = NORMAL");
  // Webhook batches go first: the pipeline waits for the write lock (it may sleep; this thread
  // answers nobody) no longer than a batch may; its loops retry what did not get it.
  db.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
  // Checkpoints run from the timer below, not inside this thread's commits: a commit then takes
  // exactly as long as it holds the write lock (which is what write-transaction.ts times).
  db.pragma("wal_autocheckpoint = 0");
  core = createEngineCore({ db, settings: init.settings, clock: systemClock, logger, options: init.options });
} catch (error) {
  db?.close();
  post({ type: "failed", message: (error as Error).message, config: error instanceof ConfigError });
  port.close();
  throw error;
}

const walBytes = () => {
  try {
    return statSync(`${init.dbPath}-wal`).size;
  } catch {
    return 0;
  }
};

let statusTimer: NodeJS.Timeout | undefined;
const sendStatus = () => post({ type: "status", status: core.status() });

// The HTTP thread's connections never checkpoint (it would stall webhooks for the copy and its
// fsync); this thread does, every second from this timer. PASSIVE copies what it can without
// taking the write lock, but
// the -wal file only starts over once a checkpoint has caught up with every commit, which a
// storm of webhooks may not allow for minutes: past WAL_SIZE_LIMIT_BYTES, a RESTART checkpoint holds
// new batches back (they wait without blocking the HTTP thread) until it has.
//
// While a RESTART checkpoint waits for readers (a backup, a long API read, a CLI command) it keeps
// writers out: it may wait only a moment (CHECKPOINT_WAIT_MS), and gives up until the next second
// rather than hold webhook batches back. Its hold is timed like a write transaction's.
const CHECKPOINT_WAIT_MS = 20;
const checkpointTimer = setInterval(() => {
  const restart = walBytes() > WAL_SIZE_LIMIT_BYTES;
  const started = performance.now();
  try {
    if (restart) db!.pragma(`busy_timeout = ${CHECKPOINT_WAIT_MS}`);
    db!.pragma(restart ? "wal_checkpoint(RESTART)" : "wal_checkpoint(PASSIVE)");
  } catch (error) {
    logger.warn({ err: (error as Error).message }, "WAL checkpoint failed; tried again in a moment");
  } finally {
    if (restart) {
      db!.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
      recordHold(db!, "checkpoint", performance.now() - started);
    }
  }
}, init.checkpointEveryMs);

port.on("message", (request: EngineRequest) => {
  switch (request.type) {
    case "ingested":
      core.noteIngested();
      return;
    case "storage-failure":
      core.reportStorageFailure(request.message);
      return;
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
      clearInterval(checkpointTimer);
      core.stop().finally(() => {
        sendStatus();
        db!.close();
        post({ type: "stopped" });
        port.close();
      });
      return;
  }
});
// The HTTP side keeps no rules of its own after startup: it shows what this thread loaded.
const postRules = () => post({ type: "rules", rules: snapshotRules(core.pipeline.rules) });
core.pipeline.rules.onStatus(postRules);
postRules();
post({ type: "ready", status: core.status() });
