import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { JobQueue } from "../../src/jobs/job-queue.js";
import type { RetryPolicy } from "../../src/jobs/retry-policy.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const POLICY: RetryPolicy = { name: "test", baseMs: 1000, factor: 2, maxDelayMs: 60_000, maxAttempts: 3, jitter: 0 };
const LEASE = 60_000;

let db: Db;
let queue: JobQueue;
let events: SqliteEventStore;

beforeEach(() => {
  db = openDatabase(tempDbPath());
  queue = new JobQueue(db, () => POLICY, () => 0.5);
  events = new SqliteEventStore(db);
});
afterEach(() => db.close());

/** A webhook; note that two with the same instance and the same second are one (the receiver's dedupe key). */
function webhook(instance: string, at: number, event = "stock:movement") {
  return events.insertBatch([webhookEvent(1, event, instance, at)])[0]!;
}

describe("JobQueue", () => {
  it("claims a due job with a lease and counts the attempt", () => {
    webhook("7", T0);
    const [job] = queue.claim(T0, { limit: 5, leaseMs: LEASE });
    expect(job).toMatchObject({ kind: "movement-read", subject: "7", status: "running", attempts: 1, lockedUntil: T0 + LEASE });
    expect(queue.claim(T0, { limit: 5, leaseMs: LEASE })).toEqual([]);
  });

  it("folds webhooks into the pending job, and never runs a subject twice at once", () => {
    webhook("7", T0);
    const [first] = queue.claim(T0, { limit: 5, leaseMs: LEASE });
    for (let i = 1; i <= 10; i++) webhook("7", T0 + i * 1000);
    expect(queue.countByStatus()).toMatchObject({ running: 1, pending: 1 });
    expect(queue.list({ status: "pending" })[0]?.coalesced).toBe(10);
    // The pending row waits while the subject runs.
    expect(queue.claim(T0 + 20_000, { limit: 5, leaseMs: LEASE })).toEqual([]);
    expect(queue.complete(first!, T0 + 21_000)).toBe(true);
    const [second] = queue.claim(T0 + 21_000, { limit: 5, leaseMs: LEASE });
    expect(second?.coalesced).toBe(10);
  });

  it("runs different subjects in parallel", () => {
    webhook("1", T0);
    webhook("2", T0);
    webhook("KAV-1", T0, "stock:soldOut");
    expect(queue.claim(T0, { limit: 5, leaseMs: LEASE }).map((j) => j.subject).sort()).toEqual(["1", "2", "KAV-1"]);
  });

  it("reschedules a retryable failure with the policy's delay, or Retry-After when longer", () => {
    webhook("7", T0);
    const [job] = queue.claim(T0, { limit: 1, leaseMs: LEASE });
    expect(queue.fail(job!, { message: "503", retryable: true, retryAfterMs: null }, T0)).toBe("retry");
    expect(queue.get(job!.id)).toMatchObject({ status: "pending", runAt: T0 + 1000, lastError: "503" });
    const [again] = queue.claim(T0 + 1000, { limit: 1, leaseMs: LEASE });
    expect(queue.fail(again!, { message: "429", retryable: true, retryAfterMs: 30_000 }, T0 + 1000)).toBe("retry");
    expect(queue.get(job!.id)?.runAt).toBe(T0 + 31_000);
  });

  it("ends dead with the last error after maxAttempts, or at once when not retryable", () => {
    webhook("7", T0);
    let now = T0;
    for (let i = 0; i < 3; i++) {
      const [job] = queue.claim(now, { limit: 1, leaseMs: LEASE });
      queue.fail(job!, { message: `boom ${i}`, retryable: true, retryAfterMs: null }, now);
      now += 60_000;
    }
    const [dead] = queue.list({ status: "dead" });
    expect(dead?.lastError).toMatch(/gave up after 3 attempts \(test policy\): boom 2/);
    webhook("8", T0);
    const [job] = queue.claim(now, { limit: 1, leaseMs: LEASE });
    expect(queue.fail(job!, { message: "404 stock-not-found", retryable: false, retryAfterMs: null }, now)).toBe("dead");
    expect(queue.retryDead(now)).toBe(2);
    expect(queue.countByStatus()).toMatchObject({ dead: 0, pending: 2 });
  });

  it("merges a failed job into the newer pending job of its subject, keeping the attempt count", () => {
    webhook("7", T0);
    const [job] = queue.claim(T0, { limit: 1, leaseMs: LEASE });
    webhook("7", T0 + 1000);
    expect(queue.fail(job!, { message: "503", retryable: true, retryAfterMs: null }, T0 + 2)).toBe("merged");
    const rows = queue.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "pending", attempts: 1, coalesced: 2, runAt: T0 + 2 + 1000 });
  });

  it("turns an expired lease (a crash) back into pending work, merged with a newer pending job", () => {
    webhook("7", T0);
    const [job] = queue.claim(T0, { limit: 1, leaseMs: LEASE });
    webhook("7", T0 + 5000);
    // Lease still valid: nothing to claim.
    expect(queue.claim(T0 + 1000, { limit: 1, leaseMs: LEASE })).toEqual([]);
    const [retried] = queue.claim(T0 + LEASE + 1, { limit: 1, leaseMs: LEASE });
    expect(retried).toMatchObject({ subject: "7", attempts: 2, coalesced: 2 });
    expect(retried?.lastError).toMatch(/lease expired/);
    // The stale claim is fenced off.
    expect(queue.isOwned(job!)).toBe(false);
    expect(queue.complete(job!, T0 + LEASE + 2)).toBe(false);
    expect(queue.isOwned(retried!)).toBe(true);
  });

  it("recovers jobs left running by a dead process at once", () => {
    webhook("7", T0);
    queue.claim(T0, { limit: 1, leaseMs: LEASE });
    expect(queue.recoverAbandoned(T0 + 10)).toBe(1);
    expect(queue.claim(T0 + 10, { limit: 1, leaseMs: LEASE })[0]?.attempts).toBe(2);
  });

  it("lets `skip` hold a subject back without starving the others", () => {
    webhook("1", T0);
    webhook("2", T0 + 1);
    const claimed = queue.claim(T0 + 10, { limit: 1, leaseMs: LEASE, skip: (j) => j.subject === "1" });
    expect(claimed.map((j) => j.subject)).toEqual(["2"]);
  });

  it("extends leases with a heartbeat only for claims still held", () => {
    webhook("7", T0);
    const [job] = queue.claim(T0, { limit: 1, leaseMs: LEASE });
    queue.heartbeat([job!], T0 + 50_000, LEASE);
    expect(queue.get(job!.id)?.lockedUntil).toBe(T0 + 50_000 + LEASE);
    expect(queue.claim(T0 + LEASE + 1, { limit: 1, leaseMs: LEASE })).toEqual([]);
  });
});

describe("JobQueue housekeeping", () => {
  it("prunes finished jobs older than a cutoff, keeping dead and recent ones", () => {
    webhook("1", T0);
    webhook("2", T0);
    const [a, b] = queue.claim(T0, { limit: 2, leaseMs: LEASE });
    queue.complete(a!, T0 + 1);
    queue.fail(b!, { message: "gone", retryable: false, retryAfterMs: null }, T0 + 1);
    webhook("3", T0 + 10_000);
    const [c] = queue.claim(T0 + 10_000, { limit: 1, leaseMs: LEASE });
    queue.complete(c!, T0 + 10_001);
    expect(queue.pruneDone(T0 + 5_000)).toBe(1);
    expect(queue.list().map((j) => [j.subject, j.status])).toEqual([
      ["2", "dead"],
      ["3", "done"],
    ]);
  });
});
