import { emptyLockHoldStats, type LockHoldStats } from "../db/write-transaction.js";
import type { RulesSnapshot } from "../rules/rules-source.js";
import type { ShoptetClientStats } from "../shoptet/shoptet-client.js";

/** What the HTTP side shows of the engine: which loops run, and the Shoptet call counters. */
export interface EngineStatus {
  services: Record<string, boolean>;
  shoptet: ShoptetClientStats;
  /** How long the engine's write transactions held the database lock. */
  lockHold: LockHoldStats;
}

/** Before the engine has said anything. */
export const NO_STATUS: EngineStatus = {
  services: {},
  shoptet: { requests: 0, retries: 0, rateLimited: 0, failures: 0 },
  lockHold: emptyLockHoldStats(),
};

/**
 * The engine is the pipeline behind the receiver (stock reads, rules, outbox, delivery, digests,
 * reminders) and the loops that drive it. The receiver commits webhooks on its own connection and
 * tells the engine with `noteIngested`.
 *
 * Two implementations: `createLocalEngine` (local-engine.ts) runs the pipeline on the calling
 * thread (an in-memory database, the demo's simulated clock, in-process tests); `ThreadEngine`
 * (thread-engine.ts) is a message bridge to a worker thread (engine-thread.ts) that runs that same
 * local engine, so its work — and its waits for the disk, Shoptet, Slack or SMTP — stays off the
 * thread that answers webhooks.
 */
export interface Engine {
  /** Ready (thread up, connection open). Rejects with a ConfigError the operator can act on. */
  start(): Promise<void>;
  /** Webhooks were committed: look at them soon; while they keep coming, pace the stock jobs. */
  noteIngested(): void;
  /** Webhooks could not be stored: the emergency path (log, and tell the rules' channels directly). */
  reportStorageFailure(message: string): void;
  /** Starts the loops (stock reads, rules, delivery, digests, reminders); resolves once they run. */
  startServices(): Promise<void>;
  /** The (last known) state of the loops and the Shoptet call counters. */
  status(): EngineStatus;
  /** Runs every loop until nothing is left to do now (tests, demo). */
  runUntilIdle(): Promise<void>;
  /** Re-reads the rules file now (SIGHUP). */
  reloadRules(): void;
  /** A delivery was queued or re-queued from outside (dashboard, API, Slack): send it soon. */
  wakeDelivery(): void;
  /** The engine's rules as the HTTP side shows them: now, and after each reload (valid or refused). */
  onRules(listener: (rules: RulesSnapshot) => void): void;
  /** Stops the loops and waits for them; closes what the engine opened. */
  close(): Promise<void>;
}
