import type { Db } from "../db/open-database.js";
import { nextBatchSize, writeTransaction, yieldLock } from "../db/write-transaction.js";
import type { Logger } from "../shared/logger.js";

/** A stored event as the feed hands it on. */
export interface FeedEvent {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  eventCreatedMs: number | null;
  receivedAt: number;
}

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

/**
 * EventFeed reads every stored event exactly once, in id order, and hands batches to a handler
 * inside the same transaction that advances its cursor: a crash re-reads nothing that was handled
 * and skips nothing that was not.
 */
export function createEventFeed(deps: {
  db: Db;
  name: string;
  logger: Logger;
  handle: (events: FeedEvent[]) => void;
  batchSize?: number;
  pollMs?: number;
  /** How soon a pass follows a wake (default 5 ms; the engine waits longer while webhooks pour in). */
  wakeDelayMs?: () => number;
}): EventFeed {
  const { db, name, logger } = deps;
  // The batch adapts to what the handler costs, so one transaction stays within the write budget.
  const maxBatch = deps.batchSize ?? 500;
  let batchSize = Math.min(100, maxBatch);
  db.prepare("INSERT INTO cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING").run(name);
  const getCursor = db.prepare<[string], { position: number }>("SELECT position FROM cursors WHERE name = ?");
  const setCursor = db.prepare("UPDATE cursors SET position = ? WHERE name = ?");
  const read = db.prepare<[number, number], FeedEvent>(
    `SELECT id, eshop_id AS eshopId, event, event_instance AS eventInstance,
            event_created_ms AS eventCreatedMs, received_at AS receivedAt
     FROM events WHERE id > ? ORDER BY id LIMIT ?`,
  );
  const stepTx = writeTransaction(db, `feed:${name}`, (limit: number): number => {
    const from = getCursor.get(name)?.position ?? 0;
    const events = read.all(from, limit);
    if (events.length === 0) return 0;
    deps.handle(events);
    setCursor.run(events[events.length - 1]!.id, name);
    return events.length;
  });
  /** One batch in one transaction; true when it came back full (more may be waiting). */
  const step = (): boolean => {
    const limit = batchSize;
    const started = performance.now();
    const n = stepTx(limit);
    batchSize = nextBatchSize(limit, n, performance.now() - started, { min: 1, max: maxBatch });
    return n === limit;
  };

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
        logger.error({ err: (error as Error).message, feed: name, failures }, "event feed pass failed; retrying");
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
    name,
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
    runUntilIdle() {
      while (step()) {
        // drain
      }
    },
    wake() {
      schedule(deps.wakeDelayMs?.() ?? 5);
    },
  };
}
