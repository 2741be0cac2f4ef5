import { describeStorageError } from "../db/storage-errors.js";
import type { EventStore } from "../events/event-store.js";
import { rowOf, storeRows, type AcceptedWebhook, type WriteResult } from "./accepted-webhook.js";

/**
 * Commits one batch of events in one transaction: one result per event, in order (an event that
 * cannot be turned into a row gets an error result; the others are still stored). Rejects when
 * the transaction itself fails (database busy, full, read-only).
 */
export interface BatchWriter {
  write(batch: AcceptedWebhook[]): Promise<WriteResult[]>;
}

export interface SqliteBatchWriterOptions {
  /**
   * How long a batch may wait for the database's write lock (held by the engine thread's pipeline
   * or a CLI command) before its requests are answered 503. Shoptet gives up after 4 s.
   */
  busyTimeoutMs?: number;
  /**
   * Makes a committed batch durable before it is acknowledged: a flush of the -wal file when the
   * connection commits with synchronous=NORMAL. Absent: the connection's synchronous=FULL did.
   */
  flush?: () => Promise<void>;
  /** After each commit (the pipeline is told there is new work). */
  onCommitted?: () => void;
  /** When a batch could not be committed or flushed: the one-line reason its requests get 503. */
  onFailure?: (message: string) => void;
  /** Each time a batch found the write lock taken and waits for it. */
  onLockWait?: () => void;
  /** After a batch that had to wait for the lock got it: how long it waited, ms. */
  onLockWaited?: (ms: number) => void;
  /** Monotonic ms. */
  now?: () => number;
}

/**
 * Writes webhook batches on the calling thread without ever blocking it on a lock: the connection
 * is expected to have busy_timeout=0, so a taken write lock fails at once (SQLITE_BUSY) and the
 * batch tries again on a later turn of the event loop — requests keep being read and verified
 * meanwhile, and join the next batch. SQLite's own busy handler would instead sleep the whole
 * thread in steps of milliseconds.
 */
export class SqliteBatchWriter implements BatchWriter {
  private readonly now: () => number;

  constructor(
    private readonly repo: EventStore,
    private readonly options: SqliteBatchWriterOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
  }

  async write(batch: AcceptedWebhook[]): Promise<WriteResult[]> {
    const rows = batch.map((w) => rowOf(w));
    const started = this.now();
    const deadline = started + (this.options.busyTimeoutMs ?? 2000);
    let results: WriteResult[];
    for (let attempt = 0; ; attempt++) {
      try {
        results = storeRows((events) => this.repo.insertBatch(events), rows);
        if (attempt > 0) this.options.onLockWaited?.(this.now() - started);
        break;
      } catch (error) {
        if (isBusy(error) && this.now() < deadline) {
          this.options.onLockWait?.();
          await lockPause(attempt);
          continue;
        }
        throw this.failed(describeStorageError(error));
      }
    }
    this.options.onCommitted?.();
    if (this.options.flush) {
      try {
        await this.options.flush();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        throw this.failed(`the database's -wal file could not be flushed to disk (${code}): check the disk holding STOCKWATCH_DB`);
      }
    }
    return results;
  }

  private failed(message: string): Error {
    this.options.onFailure?.(message);
    return new Error(message);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/**
 * The engine's transactions last well under a millisecond: the first tries come back on the next
 * turn of the event loop, later ones after a millisecond, so a long lock (a CLI command) is not
 * polled in a tight loop.
 */
function lockPause(attempt: number): Promise<void> {
  return new Promise((resolve) => (attempt < 8 ? setImmediate(resolve) : setTimeout(resolve, 1)));
}
