import type { DeliveryStatus, DeliveryView, Destination, MessageBody, NewOutboxMessage } from "./outbox-types.js";

/** One outbox row as the worker sees it. */
export interface OutboxRow {
  id: number;
  dedupeKey: string;
  channel: string;
  transport: Destination["type"];
  destination: Destination;
  lane: string;
  body: MessageBody;
  summary: string;
  groupKey: string | null;
  incidentKey: string | null;
  status: DeliveryStatus;
  attempts: number;
  /** The attempt limit recorded when the row was queued. */
  maxAttempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

/** A claimed send: the leader row first, then rows merged into it by group key. */
export interface Claim {
  leader: OutboxRow;
  rows: OutboxRow[];
}

export interface EnqueueResult {
  /** The row id (also for a duplicate). */
  id: number;
  duplicate: boolean;
}

export interface DueLane {
  lane: string;
  transport: Destination["type"];
  id: number;
}

export interface ListQuery {
  status?: DeliveryStatus | undefined;
  /** Any of these (e.g. the problems: dead, retrying, unconfigured). */
  statuses?: readonly DeliveryStatus[] | undefined;
  limit?: number | undefined;
  /** Page back from this id (exclusive). */
  before?: number | undefined;
}

export type RetryOutcome = "queued" | "not_found" | "already_sent" | "in_progress";

/**
 * What the delivery worker decided (with `decide()`) for one row of a failed send; the store
 * records it: retrying at `retryAt`, or dead. `error` becomes the row's last error.
 */
export type RowAnswer = { id: number; retryAt: number; error: string } | { id: number; dead: true; error: string };

/** Asked inside the store's transaction for each row handed back after its lease ran out; pure. */
export type RowAnswerFor = (row: OutboxRow) => RowAnswer;

/**
 * OutboxStore keeps messages waiting to be delivered, one row per (message, destination), and
 * their delivery state. Rows in one lane go out one at a time; a claim takes a row under a lease
 * together with the waiting rows of its group. All times are epoch ms passed in by the caller.
 */
export interface OutboxStore {
  /**
   * Adds a message that may be tried `maxAttempts` times; a second message with the same dedupe
   * key is ignored. Synchronous, so a producer can call it inside its own transaction.
   */
  enqueue(msg: NewOutboxMessage, now: number, maxAttempts: number): EnqueueResult;
  /** Runs `fn` in one write transaction (a worker's whole claim pass: one fsync). */
  atomically<T>(fn: () => T): T;
  /**
   * Rows whose sender died mid-send (lease expired by `now`) are recorded as `answer` says: due
   * again (keeping their place in the lane) or dead. `mine` are rows this process is still
   * sending; they are left alone. Returns how many rows were handed back.
   */
  recoverExpiredLeases(now: number, mine: readonly number[], answer: RowAnswerFor): number;
  /** The oldest due row of every lane. */
  dueLanes(now: number): DueLane[];
  /**
   * Claims row `id` under a lease, with every waiting row of its group in the same lane (the
   * group goes out as one message). undefined when someone else took it or it is no longer due.
   */
  claim(id: number, now: number, leaseMs: number, maxGroup?: number): Claim | undefined;
  markSent(ids: readonly number[], now: number, ref: string | null): void;
  /**
   * Records the answers for the rows of a failed send. `countAttempt` false: the attempt is not
   * counted (the channel was paused, not the message refused).
   */
  markFailed(answers: readonly RowAnswer[], now: number, countAttempt: boolean): void;
  /** Marks the due rows of a transport without credentials; returns the channels they were for. */
  markUnconfigured(transport: Destination["type"], now: number, error: string): { count: number; channels: string[] };
  /** When the next row becomes due (or a foreign lease expires), after `now`; null when nothing waits. */
  nextDueAfter(now: number, mine?: readonly number[]): number | null;
  get(id: number): DeliveryView | undefined;
  /** Newest first; `limit` 1–1000, default 100. */
  list(query?: ListQuery): DeliveryView[];
  /** Queues one delivery again, now, with fresh attempts (dead, unconfigured or waiting rows). */
  retry(id: number, now: number): RetryOutcome;
  /** Queues every delivery in `status` again; returns how many. */
  retryAll(status: "dead" | "unconfigured", now: number): number;
  counts(): Record<DeliveryStatus, number>;
}
