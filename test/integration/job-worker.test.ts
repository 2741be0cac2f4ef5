import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { JobQueue } from "../../src/jobs/job-queue.js";
import type { Job } from "../../src/jobs/job-types.js";
import { JobWorker, type JobHandler } from "../../src/jobs/job-worker.js";
import { STOCK_JOB_RETRY } from "../../src/retry/retry-policy.js";
import { systemClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createSqliteJobStore } from "../../src/store/sqlite/job-store.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

let db: Db;
let events: SqliteEventStore;
let queue: JobQueue;

beforeEach(() => {
  db = openDatabase(tempDbPath());
  events = new SqliteEventStore(db);
  queue = new JobQueue(createSqliteJobStore(db), () => STOCK_JOB_RETRY);
});
afterEach(() => db.close());

let seq = 0;
/** A distinct webhook each call (a new eventCreated second, so the receiver's dedupe key differs). */
function webhook(instance: string) {
  events.insertBatch([webhookEvent(1, "stock:movement", instance, Date.now() - 3_600_000 + ++seq * 1000, Date.now())]);
}

function worker(handler: JobHandler, extra: Partial<ConstructorParameters<typeof JobWorker>[0]> = {}) {
  return new JobWorker({
    queue,
    clock: systemClock,
    logger: silentLogger(),
    handlers: { "movement-read": handler },
    pollIntervalMs: 10_000, // only wake() or completion can start work quickly
    ...extra,
  });
}

describe("JobWorker", () => {
  it("starts a job right after wake(), without waiting for the poll", async () => {
    const ran: string[] = [];
    const w = worker(async (job) => {
      ran.push(job.subject);
    });
    w.start();
    await new Promise((r) => setTimeout(r, 20)); // first poll has passed
    webhook("1");
    w.wake();
    for (let i = 0; i < 100 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    await w.stop();
    expect(ran).toEqual(["1"]);
    expect(queue.countByStatus().done).toBe(1);
  });

  it("stop() waits for running handlers to finish", async () => {
    let finish!: () => void;
    let finished = false;
    const w = worker(async () => {
      await new Promise<void>((r) => (finish = r));
      finished = true;
    });
    webhook("1");
    w.start();
    w.wake();
    for (let i = 0; i < 100 && !finish; i++) await new Promise((r) => setTimeout(r, 5));
    const stopped = w.stop();
    setTimeout(() => finish(), 30);
    await stopped;
    expect(finished).toBe(true);
    expect(queue.countByStatus()).toMatchObject({ done: 1, running: 0 });
  });

  it("never runs two jobs of one subject at once, but runs different subjects together", async () => {
    let running = 0;
    let maxSame = 0;
    const active = new Map<string, number>();
    const w = worker(async (job: Job) => {
      running++;
      active.set(job.subject, (active.get(job.subject) ?? 0) + 1);
      maxSame = Math.max(maxSame, active.get(job.subject)!);
      await new Promise((r) => setTimeout(r, 15));
      active.set(job.subject, active.get(job.subject)! - 1);
      running--;
    });
    webhook("1");
    webhook("2");
    const idle = w.runUntilIdle();
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 3));
      webhook("1");
    }
    await idle;
    expect(maxSame).toBe(1);
    expect(queue.countByStatus()).toMatchObject({ pending: 0, running: 0 });
  });

  it("records a failure for retry with the handler's classification, scrubbing secrets", async () => {
    const w = worker(
      async () => {
        throw new Error("Shoptet said no to token sekret-123");
      },
      { secrets: ["sekret-123"] },
    );
    webhook("1");
    await w.runUntilIdle();
    const [job] = queue.list();
    expect(job?.status).toBe("pending");
    expect(job?.lastError).toBe("Shoptet said no to token [redacted]");
    expect(job!.runAt).toBeGreaterThan(Date.now() + 3000);
  });

  it("holds a subject back for its minimum gap, then runs it", async () => {
    const starts: number[] = [];
    const w = worker(
      async () => {
        starts.push(Date.now());
      },
      { minGapMs: { "movement-read": 80 } },
    );
    webhook("1");
    await w.runUntilIdle();
    webhook("1");
    await w.runUntilIdle();
    expect(starts).toHaveLength(2);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(75);
  });

  it("runUntilIdle does not stop early when a gap runs out between two looks at the clock", async () => {
    // A clock that ticks 1 ms per reading, and timers that fire 2 ms early by that clock: the claim
    // sees 1 ms of gap left, the idle check a reading later sees none. The worker must then claim
    // again, not report idle.
    let t = Date.now();
    const clock = { now: () => t++ };
    const starts: number[] = [];
    const w = new JobWorker({
      queue,
      clock,
      logger: silentLogger(),
      handlers: { "movement-read": async () => void starts.push(t) },
      minGapMs: { "movement-read": 40 },
      sleep: async (ms) => {
        t += Math.max(0, ms - 2);
      },
    });
    for (let round = 0; round < 20; round++) {
      events.insertBatch([webhookEvent(1, "stock:movement", "1", t - 3_600_000 + ++seq * 1000, t)]);
      await w.runUntilIdle();
      expect(queue.countByStatus().pending).toBe(0);
    }
    expect(starts).toHaveLength(20);
  });

  it("marks a job of a kind without handler dead", async () => {
    events.insertBatch([webhookEvent(1, "stock:soldOut", "KAV-1", Date.now())]);
    const w = worker(async () => {});
    await w.runUntilIdle();
    expect(queue.list()[0]).toMatchObject({ status: "dead", lastError: 'no handler for job kind "product-level"' });
  });
});
