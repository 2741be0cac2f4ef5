import type { Db } from "../db/open-database.js";
import { JobQueue } from "../jobs/job-queue.js";
import type { JobFailure, JobKind } from "../jobs/job-types.js";
import { JobWorker } from "../jobs/job-worker.js";
import { STOCK_JOB_RETRY, type RetryPolicy } from "../retry/retry-policy.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ShoptetApi } from "../shoptet/shoptet-client.js";
import { ShoptetApiError } from "../shoptet/shoptet-error.js";
import { createSqliteJobStore } from "../store/sqlite/job-store.js";
import { DEFAULT_MOVEMENT_READER_OPTIONS, movementReader, type MovementReaderOptions } from "./movement-reader.js";
import { productLevelHandler, productRefreshHandler } from "./product-jobs.js";
import type { StockStore } from "./stock-store.js";
import { SqliteStockStore } from "../store/sqlite/stock-store.js";
import { StockWriter, type OnStockChanges } from "./stock-writer.js";

export interface StockWorkerOptions extends Partial<MovementReaderOptions> {
  /** Jobs running at once (different subjects). Default 4. */
  concurrency?: number;
  /** Poll interval when nobody calls wake(). Default 200 ms. */
  pollIntervalMs?: number;
  /** Job lease, extended while the job runs. Default 2 min. */
  leaseMs?: number;
  /**
   * Least time between two reads of one warehouse. Webhooks arriving meanwhile fold into one
   * pending job, so a steady stream costs at most one read per gap (a 2 s burst of 1,000 webhooks:
   * 3 reads). The first webhook after a quiet spell is read at once. Default 1000 ms.
   */
  movementReadGapMs?: number;
  retryPolicy?: RetryPolicy;
  /** Secrets scrubbed from stored job errors (the API tokens). */
  secrets?: readonly string[];
  recoverOnStart?: boolean;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface StockWorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  client: ShoptetApi;
  /** Called synchronously inside the transaction that applies the changes (alerts + outbox go there). */
  onStockChanges: OnStockChanges;
  options?: StockWorkerOptions;
  /** Waits between back-to-back claims (see JobWorkerOptions.pace). */
  pace?: () => Promise<void>;
}

export interface StockWorker {
  start(): void;
  /** Stops claiming; resolves when running jobs have finished. */
  stop(): Promise<void>;
  /** Call after committing new events so their jobs start without waiting for the poll. */
  wake(): void;
  /** Runs every due job to completion (tests, demo, CLI). */
  runUntilIdle(): Promise<void>;
  readonly queue: JobQueue;
  readonly repo: StockStore;
}

/** Turns a handler's error into the queue's verdict: Shoptet's classification wins. */
export function classifyStockError(error: Error): JobFailure {
  if (error instanceof ShoptetApiError) {
    return { message: error.message, retryable: error.retryable, retryAfterMs: error.retryAfterMs };
  }
  return { message: error.message, retryable: true, retryAfterMs: null };
}

/**
 * Builds the stock worker: a JobWorker over the `jobs` table with handlers for the four job
 * kinds the receiver creates (movement-read, product-level, product-refresh, variant-refresh).
 */
export function createStockWorker(deps: StockWorkerDeps): StockWorker {
  const o = deps.options ?? {};
  const policy = o.retryPolicy ?? STOCK_JOB_RETRY;
  const queue = new JobQueue(createSqliteJobStore(deps.db), () => policy, o.random);
  const repo = new SqliteStockStore(deps.db);
  const writer = new StockWriter(repo, deps.onStockChanges);
  const readerOptions: MovementReaderOptions = {
    itemsPerPage: o.itemsPerPage ?? DEFAULT_MOVEMENT_READER_OPTIONS.itemsPerPage,
    firstContactMarginMs: o.firstContactMarginMs ?? DEFAULT_MOVEMENT_READER_OPTIONS.firstContactMarginMs,
    firstContactMaxLookbackMs: o.firstContactMaxLookbackMs ?? DEFAULT_MOVEMENT_READER_OPTIONS.firstContactMaxLookbackMs,
    detailPrefetchLimit: o.detailPrefetchLimit ?? DEFAULT_MOVEMENT_READER_OPTIONS.detailPrefetchLimit,
    detailStaleMs: o.detailStaleMs ?? DEFAULT_MOVEMENT_READER_OPTIONS.detailStaleMs,
  };
  const logger = deps.logger.child({ component: "stock-worker" });
  const productDeps = { repo, writer, client: deps.client, clock: deps.clock };
  const handlers: Record<JobKind, ReturnType<typeof movementReader>> = {
    "movement-read": movementReader({ repo, writer, queue, client: deps.client, clock: deps.clock, logger, options: readerOptions }),
    "product-level": productLevelHandler(productDeps),
    "product-refresh": productRefreshHandler(productDeps, "guid"),
    "variant-refresh": productRefreshHandler(productDeps, "code"),
  };
  const worker = new JobWorker({
    queue,
    clock: deps.clock,
    logger,
    handlers,
    classify: classifyStockError,
    concurrency: o.concurrency,
    pollIntervalMs: o.pollIntervalMs,
    leaseMs: o.leaseMs,
    minGapMs: { "movement-read": o.movementReadGapMs ?? 1000 },
    secrets: o.secrets,
    recoverOnStart: o.recoverOnStart,
    sleep: o.sleep,
    ...(deps.pace ? { pace: deps.pace } : {}),
  });
  return {
    start: () => worker.start(),
    stop: () => worker.stop(),
    wake: () => worker.wake(),
    runUntilIdle: () => worker.runUntilIdle(),
    queue,
    repo,
  };
}
