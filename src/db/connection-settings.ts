import type { Db } from "./open-database.js";

/**
 * The engine thread's connection. The pipeline's state is derived from the stored events: a crash
 * of the process loses none of it (WAL), and a power cut loses at most its last moments, which are
 * then redone from the events. So its commits do not wait for the disk (synchronous=NORMAL; the
 * next webhook flush covers them anyway). Webhook batches go first: the pipeline waits for the
 * write lock (it may sleep; that thread answers nobody) no longer than a batch may; its loops retry
 * what did not get it. Checkpoints run from a timer (checkpoint.ts), not inside its commits: a
 * commit then takes exactly as long as it holds the write lock (which write-transaction.ts times).
 */
export function tuneEngineConnection(db: Db, busyTimeoutMs: number): void {
  db.pragma("synchronous = NORMAL");
  setBusyTimeout(db, busyTimeoutMs);
  leaveCheckpointsToEngine(db);
}

/** How long a write on this connection waits for the write lock before SQLITE_BUSY. */
export function setBusyTimeout(db: Db, ms: number): void {
  db.pragma(`busy_timeout = ${ms}`);
}

/** This connection's commits never checkpoint: the engine thread does (checkpoint.ts). */
export function leaveCheckpointsToEngine(db: Db): void {
  db.pragma("wal_autocheckpoint = 0");
}

/** A cheap read of the schema: throws when the database cannot be read (the health routes). */
export function readProbe(db: Db): () => void {
  const canRead = db.prepare("SELECT count(*) FROM sqlite_schema").pluck();
  return () => void canRead.get();
}
