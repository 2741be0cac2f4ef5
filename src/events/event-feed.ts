import type { Db } from "../db/open-database.js";
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
  const batchSize = deps.batchSize ?? 500;
  db.prepare("INSERT INTO cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING").run(name);
  const getCursor = db.prepare<[string], { position: number }>("SELECT position FROM cursors WHERE name = ?");
  const setCursor = db.prepare("UPDATE cursors SET position = ? WHERE name = ?");
  const read = db.prepare<[number, number], FeedEvent>(
    `SELECT id, eshop_id AS eshopId, event, event_instance AS eventInstance,
            event_created_ms AS eventCreatedMs, received_at AS receivedAt
     FROM events WHERE id > ? ORDER BY id LIMIT ?`,
  );
  const step = db.transaction((): number => {
    const from = getCursor.get(name)?.position ?? 0;
    const events = read.all(from, batchSize);
    if (events.length === 0) return 0;
    deps.handle(events);
    setCursor.run(events[events.length - 1]!.id, name);
    return events.length;
  });

  let timer: NodeJS.Timeout | undefined;
  let active = false;
  let failures = 0;

  const pass = () => {
    timer = undefined;
    if (!active) return;
    try {
      while (step.immediate() === batchSize) {
        // keep going while full batches come back
      }
      failures = 0;
    } catch (error) {
      failures++;
      if (failures === 1 || failures % 100 === 0) {
        logger.error({ err: (error as Error).message, feed: name, failures }, "event feed pass failed; retrying");
      }
    }
    schedule(deps.pollMs ?? 1000);
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
    timer = setTimeout(pass, ms);
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
      while (step.immediate() > 0) {
        // drain
      }
    },
    wake() {
      schedule(deps.wakeDelayMs?.() ?? 5);
    },
  };
}
