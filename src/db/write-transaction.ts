import type { Db } from "./open-database.js";

/**
 * How long one write transaction may hold SQLite's write lock. Webhook batches wait for that lock
 * (without blocking their thread), and Shoptet gives up after 4 s: every writer other than the
 * receiver cuts its work into transactions of about this length and lets the lock go in between.
 */
export const WRITE_BUDGET_MS = 25;

/** A hold this long is logged: it means some writer does not slice its work. */
export const LONG_HOLD_MS = 200;

/** The longest write-lock holds of one connection, for /metrics and the benchmarks. */
export interface LockHoldStats {
  /** Write transactions committed or rolled back. */
  count: number;
  /** Their total time holding the lock, ms. */
  totalMs: number;
  /** The longest one, ms, and who held it. */
  maxMs: number;
  maxLabel: string;
  /** Transactions that held the lock longer than WRITE_BUDGET_MS × 2. */
  overBudget: number;
}

export function emptyLockHoldStats(): LockHoldStats {
  return { count: 0, totalMs: 0, maxMs: 0, maxLabel: "", overBudget: 0 };
}

const statsByDb = new WeakMap<Db, LockHoldStats>();
const longHoldListeners = new WeakMap<Db, (label: string, ms: number) => void>();

/** The lock-hold figures of a connection (zeros before its first write transaction). */
export function lockHoldsOf(db: Db): LockHoldStats {
  let stats = statsByDb.get(db);
  if (!stats) {
    stats = emptyLockHoldStats();
    statsByDb.set(db, stats);
  }
  return stats;
}

/** Called after a transaction of this connection held the lock LONG_HOLD_MS or more (a log line). */
export function onLongHold(db: Db, listener: (label: string, ms: number) => void): void {
  longHoldListeners.set(db, listener);
}

export function recordHold(db: Db, label: string, ms: number): void {
  const stats = lockHoldsOf(db);
  stats.count++;
  stats.totalMs += ms;
  if (ms > stats.maxMs) {
    stats.maxMs = ms;
    stats.maxLabel = label;
  }
  if (ms > WRITE_BUDGET_MS * 2) stats.overBudget++;
  if (ms >= LONG_HOLD_MS) longHoldListeners.get(db)?.(label, ms);
}

/**
 * `db.transaction(fn)` run with BEGIN IMMEDIATE (the write lock up front, so it never fails half
 * way for a lock), timed from the moment the lock is held to the end of COMMIT. Inside another
 * transaction it runs as a savepoint of that one and is not timed separately.
 */
export function writeTransaction<A extends unknown[], R>(db: Db, label: string, fn: (...args: A) => R): (...args: A) => R {
  let began = 0;
  const tx = db.transaction((...args: A): R => {
    began = performance.now();
    return fn(...args);
  });
  return (...args: A): R => {
    if (db.inTransaction) return tx(...args);
    began = 0;
    try {
      return tx.immediate(...args);
    } finally {
      if (began !== 0) recordHold(db, label, performance.now() - began);
    }
  };
}

/**
 * The next batch size for work that is cut into write transactions: grows while a batch takes
 * well under the budget, shrinks at once when one took longer. Pure, for the table test.
 */
export function nextBatchSize(current: number, rows: number, elapsedMs: number, limits: { min: number; max: number; budgetMs?: number }): number {
  const budget = limits.budgetMs ?? WRITE_BUDGET_MS;
  let next = current;
  if (elapsedMs > budget) {
    // Aim at half the budget: the next batch's rows may cost more than these did.
    next = Math.floor(Math.max(rows, 1) * (budget / 2 / elapsedMs));
  } else if (rows >= current && elapsedMs < budget / 4) {
    next = current * 2;
  }
  return Math.min(limits.max, Math.max(limits.min, next));
}

/** Lets the write lock go for a moment, so a webhook batch waiting for it gets in first. */
export function yieldLock(ms = 2): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
