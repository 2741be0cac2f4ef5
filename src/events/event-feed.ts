import { nextBatchSize, yieldLock } from "../db/write-transaction.js";
import type { Logger } from "../shared/logger.js";
import type { CursorStore, FeedEvent } from "./cursor-store.js";

export interface EventFeed {
  name: string;
  start(): void;
  stop(): Promise<void>;
  running(): boolean;
  /** Processes everything stored so far, then returns (tests, CLI). */
  runUntilIdle(): void;
  /** Asks for a pass soon (after a commit). */
  wake(): void;
}

export interface EventFeedDeps {
  cursors: CursorStore;
  name: string;
  logger: Logger;
  handle: (events: FeedEvent[]) => void;
  batchSize?: number;
  pollMs?: number;
  /** How soon a pass follows a wake (default 5 ms; the engine waits longer while webhooks pour in). */
  wakeDelayMs?: () => number;
}

/**
 * EventFeed reads every stored event exactly once, in id order, and hands batches to a handler
 * inside the same transaction that advances its cursor (CursorStore.feedStep): a crash re-reads
 * nothing that was handled and skips nothing that was not.
 */
export function createEventFeed(deps: EventFeedDeps): EventFeed {
  const step = adaptiveStep(deps);
  const passes = passLoop(deps, step);
  return {
    name: deps.name,
    start: passes.start,
    stop: passes.stop,
    running: passes.running,
    runUntilIdle() {
      while (step()) {
        // drain
      }
    },
    wake() {
      passes.schedule(deps.wakeDelayMs?.() ?? 5);
    },
  };
}

/**
 * One batch in one transaction; true when it came back full (more may be waiting). The batch adapts
 * to what the handler costs, so one transaction stays within the write budget.
 */
function adaptiveStep(deps: Pick<EventFeedDeps, "cursors" | "name" | "handle" | "batchSize">): () => boolean {
  const maxBatch = deps.batchSize ?? 500;
  let batchSize = Math.min(100, maxBatch);
  const stepTx = deps.cursors.feedStep(deps.name, deps.handle);
  return () => {
    const limit = batchSize;
    const started = performance.now();
    const n = stepTx(limit);
    batchSize = nextBatchSize(limit, n, performance.now() - started, { min: 1, max: maxBatch });
    return n === limit;
  };
}

/** Passes over the feed on a timer: after `schedule(ms)`, and every `pollMs` while running. */
function passLoop(deps: Pick<EventFeedDeps, "name" | "logger" | "pollMs">, step: () => boolean) {
  let timer: NodeJS.Timeout | undefined;
  let active = false;
  let failures = 0;
  // A pass pauses between batches; a timer firing meanwhile asks for one more pass after it.
  let busy = false;
  let wanted = false;

  const pass = async () => {
    timer = undefined;
    if (!active) return;
    if (busy) {
      wanted = true;
      return;
    }
    busy = true;
    wanted = false;
    try {
      // Full batches come back while events wait: pause between them so webhook batches get the lock.
      while (step() && active) await yieldLock();
      failures = 0;
    } catch (error) {
      failures++;
      if (failures === 1 || failures % 100 === 0) {
        deps.logger.error({ err: (error as Error).message, feed: deps.name, failures }, "event feed pass failed; retrying");
      }
    } finally {
      busy = false;
    }
    schedule(wanted ? 0 : (deps.pollMs ?? 1000));
  };
  // A pass already due sooner is kept: wakes arriving more often than the delay must not put
  // the pass off again and again (a steady stream of webhooks would starve the rules).
  let due = Number.POSITIVE_INFINITY;
  const schedule = (ms: number) => {
    if (!active) return;
    const at = performance.now() + ms;
    if (timer && due <= at) return;
    if (timer) clearTimeout(timer);
    due = at;
    timer = setTimeout(() => void pass(), ms);
  };

  return {
    schedule,
    start() {
      active = true;
      schedule(0);
    },
    async stop() {
      active = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    running: () => active,
  };
}
