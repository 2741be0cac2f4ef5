import type { Db } from "../db/open-database.js";
import type { Notifier, Transport } from "../notifiers/notifier.js";
import type { RetryPolicy } from "../retry/retry-policy.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";

/** What the worker reports after each send, for metrics and tests (`delivery:sent`, …). */
export type DeliveryEvent =
  | { type: "delivery:sent"; ids: number[]; channel: string; transport: Transport; ref: string | null }
  | { type: "delivery:failed"; ids: number[]; channel: string; transport: Transport; error: string; retryAt: number }
  | { type: "delivery:dead"; ids: number[]; channel: string; transport: Transport; error: string }
  | { type: "delivery:unconfigured"; count: number; transport: Transport };

export interface DeliveryWorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The configured transports; a missing one marks its deliveries unconfigured. */
  notifiers: Partial<Record<Transport, Notifier>>;
  /** Every secret in the settings: removed from errors before they are stored or logged. */
  secrets: readonly string[];
  policy?: RetryPolicy;
  /** Minimum gap between sends in one lane (Slack: 1 message per second per channel). */
  pacingMs?: Partial<Record<Transport, number>>;
  /** How long a claimed delivery stays claimed; a worker that dies mid-send loses it after this. */
  leaseMs?: number;
  /** How long a transport whose authentication failed is left alone. */
  pauseMs?: number;
  /** Sends in flight at once (each in its own lane). */
  maxInFlight?: number;
  /** Look for work at least this often (rows queued by another process, e.g. the CLI). */
  pollMs?: number;
  random?: () => number;
  /** Waits for pacing in runUntilIdle; tests pass one that moves a FixedClock. */
  sleep?: (ms: number) => Promise<void>;
  /** The database could not be written (the emergency path). */
  onStorageFailure?: (error: Error) => void;
  onEvent?: (event: DeliveryEvent) => void;
  /** At start, send again what a crashed run left "sending" (default true; false when several processes send). */
  recoverOnStart?: boolean;
}

export interface DeliveryWorker {
  start(): void;
  /** Stops claiming and waits for the sends in flight. */
  stop(): Promise<void>;
  /** Look for work now (after an enqueue). */
  wake(): void;
  /** Sends everything due now, waiting out pacing, and returns when nothing due is left. */
  runUntilIdle(): Promise<void>;
}

export const DEFAULT_PACING_MS: Record<Transport, number> = { slack: 1000, email: 0 };
