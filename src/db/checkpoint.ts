import { statSync } from "node:fs";
import type { Logger } from "../shared/logger.js";
import { setBusyTimeout } from "./connection-settings.js";
import { WAL_SIZE_LIMIT_BYTES, type Db } from "./open-database.js";
import { recordHold } from "./write-transaction.js";

/**
 * While a RESTART checkpoint waits for readers (a backup, a long API read, a CLI command) it keeps
 * writers out: it may wait only this long, and gives up until the next round rather than hold
 * webhook batches back. Its hold is timed like a write transaction's.
 */
const CHECKPOINT_WAIT_MS = 20;

export interface CheckpointOptions {
  /** The database file (its -wal file's size decides PASSIVE or RESTART). */
  path: string;
  everyMs: number;
  /** The connection's usual busy timeout, restored after a RESTART checkpoint. */
  busyTimeoutMs: number;
  logger: Logger;
}

/**
 * The HTTP thread's connections never checkpoint (it would stall webhooks for the copy and its
 * fsync); the engine thread does, every `everyMs` from this timer. PASSIVE copies what it can
 * without taking the write lock, but the -wal file only starts over once a checkpoint has caught
 * up with every commit, which a storm of webhooks may not allow for minutes: past
 * WAL_SIZE_LIMIT_BYTES, a RESTART checkpoint holds new batches back (they wait without blocking
 * the HTTP thread) until it has. Returns the function that stops the timer.
 */
export function startCheckpoints(db: Db, options: CheckpointOptions): () => void {
  const timer = setInterval(() => checkpointOnce(db, options), options.everyMs);
  return () => clearInterval(timer);
}

export function checkpointOnce(db: Db, options: CheckpointOptions): void {
  const restart = walBytes(options.path) > WAL_SIZE_LIMIT_BYTES;
  const started = performance.now();
  try {
    if (restart) setBusyTimeout(db, CHECKPOINT_WAIT_MS);
    db.pragma(restart ? "wal_checkpoint(RESTART)" : "wal_checkpoint(PASSIVE)");
  } catch (error) {
    options.logger.warn({ err: (error as Error).message }, "WAL checkpoint failed; tried again in a moment");
  } finally {
    if (restart) {
      setBusyTimeout(db, options.busyTimeoutMs);
      recordHold(db, "checkpoint", performance.now() - started);
    }
  }
}

function walBytes(path: string): number {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
}
