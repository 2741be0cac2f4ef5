import type { Db } from "../db/open-database.js";
import { DELIVERY_RETRY } from "../retry/retry-policy.js";
import type { Clock } from "../shared/clock.js";
import { createSqliteOutboxStore } from "../store/sqlite/outbox-store.js";
import type { EnqueueResult, ListQuery, RetryOutcome } from "./outbox-store.js";
import type { DeliveryStatus, DeliveryView, NewOutboxMessage } from "./outbox-types.js";

/** Outbox is what producers and operators use: enqueue inside a transaction, list, retry. */
export interface Outbox {
  /**
   * Adds a message (ignored when its dedupe key exists). Synchronous: call it inside the
   * transaction that changes the state the message reports, so both commit or neither does.
   */
  enqueue(msg: NewOutboxMessage): EnqueueResult;
  list(query?: ListQuery): DeliveryView[];
  get(id: number): DeliveryView | undefined;
  /** Queues a dead, unconfigured or waiting delivery again, now, with fresh attempts. */
  retry(id: number): RetryOutcome;
  retryAllDead(): number;
  retryAllUnconfigured(): number;
  counts(): Record<DeliveryStatus, number>;
}

export interface OutboxOptions {
  /**
   * Called after each new row (pass the worker's `wake`). It runs after the caller's synchronous
   * transaction has finished, because the worker only acts on the next turn of the event loop.
   */
  onEnqueued?: () => void;
}

export function createOutbox(db: Db, clock: Clock, options: OutboxOptions = {}): Outbox {
  const repo = createSqliteOutboxStore(db);
  return {
    enqueue(msg) {
      const result = repo.enqueue(msg, clock.now(), DELIVERY_RETRY.maxAttempts);
      if (!result.duplicate) options.onEnqueued?.();
      return result;
    },
    list: (query) => repo.list(query),
    get: (id) => repo.get(id),
    retry(id) {
      const outcome = repo.retry(id, clock.now());
      if (outcome === "queued") options.onEnqueued?.();
      return outcome;
    },
    retryAllDead() {
      const n = repo.retryAll("dead", clock.now());
      if (n) options.onEnqueued?.();
      return n;
    },
    retryAllUnconfigured() {
      const n = repo.retryAll("unconfigured", clock.now());
      if (n) options.onEnqueued?.();
      return n;
    },
    counts: () => repo.counts(),
  };
}
