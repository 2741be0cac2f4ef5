/**
 * The engine thread's entry: runs the local engine (local-engine.ts) so that none of the pipeline
 * — nor its waits for Shoptet, Slack or SMTP — runs on the thread that answers webhooks, and
 * answers ThreadEngine's messages (engine-protocol.ts) with it. It also checkpoints the WAL, which
 * the HTTP thread's commits never do.
 */
import { parentPort, workerData } from "node:worker_threads";
import { startCheckpoints } from "../db/checkpoint.js";
import { tuneEngineConnection } from "../db/connection-settings.js";
import { openDatabase, type Db } from "../db/open-database.js";
import { systemClock } from "../shared/clock.js";
import { ConfigError } from "../shared/errors.js";
import { createLogger } from "../shared/logger.js";
import type { Engine } from "./engine.js";
import type { EngineInit, EngineReply, EngineRequest } from "./engine-protocol.js";
import { createLocalEngine } from "./local-engine.js";

const port = parentPort!;
const init = workerData as EngineInit;
const post = (reply: EngineReply) => port.postMessage(reply);

// Log lines are written by the HTTP thread's logger, so both threads share one stream and order.
const logger = createLogger(init.logLevel, { write: (line: string) => post({ type: "log", line }) });

let db: Db | undefined;
let engine: Engine;
try {
  db = openDatabase(init.dbPath, { migrate: false });
  tuneEngineConnection(db, init.busyTimeoutMs);
  engine = createLocalEngine({ db, settings: init.settings, clock: systemClock, logger, options: init.options });
} catch (error) {
  db?.close();
  post({ type: "failed", message: (error as Error).message, config: error instanceof ConfigError });
  port.close();
  throw error;
}
const conn = db;
const stopCheckpoints = startCheckpoints(conn, { path: init.dbPath, everyMs: init.checkpointEveryMs, busyTimeoutMs: init.busyTimeoutMs, logger });
let statusTimer: NodeJS.Timeout | undefined;
const sendStatus = () => post({ type: "status", status: engine.status() });

function answer(request: EngineRequest): void {
  switch (request.type) {
    case "noteIngested":
      return engine.noteIngested();
    case "reportStorageFailure":
      return engine.reportStorageFailure(request.message);
    case "startServices":
      void engine.startServices().then(() => {
        post({ type: "started", status: engine.status() });
        statusTimer ??= setInterval(sendStatus, 1000);
      });
      return;
    case "runUntilIdle":
      engine.runUntilIdle().then(
        () => post({ type: "idle", id: request.id }),
        (error: unknown) => post({ type: "idle", id: request.id, error: (error as Error).message }),
      );
      return;
    case "reloadRules":
      return engine.reloadRules();
    case "wakeDelivery":
      return engine.wakeDelivery();
    case "close":
      clearInterval(statusTimer);
      stopCheckpoints();
      void engine.close().finally(() => {
        sendStatus();
        conn.close();
        post({ type: "closed" });
        port.close();
      });
      return;
  }
}

port.on("message", answer);
// The HTTP side keeps no rules of its own after startup: it shows what this thread loaded.
engine.onRules((rules) => post({ type: "rules", rules }));
post({ type: "ready", status: engine.status() });
