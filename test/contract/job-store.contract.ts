import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobQueue } from "../../src/jobs/job-queue.js";
import type { JobAnswer, JobStore } from "../../src/jobs/job-store.js";
import type { JobKind } from "../../src/jobs/job-types.js";
import type { RetryPolicy } from "../../src/retry/retry-policy.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
const POLICY: RetryPolicy = { name: "test", baseMs: 1000, factor: 2, maxDelayMs: 60_000, maxAttempts: 3, jitter: 0 };
const LEASE = 60_000;

/**
 * The contract of a JobStore, on its own and under the JobQueue that answers its failures with a
 * retry policy. Jobs come in as the receiver makes them: one pending job per subject, later
 * webhooks folded into it.
 */
export function jobStoreContract(name: string, open: OpenStore<JobStore>): void {
  describe(`JobStore contract (${name})`, () => {
    let opened: OpenedStore<JobStore>;
    let store: JobStore;
    let queue: JobQueue;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
      queue = new JobQueue(store, () => POLICY, () => 0.5);
    });
    afterEach(async () => {
      await opened.close();
    });

    /** A webhook for `subject` at `at`, as the receiver enqueues it. */
    async function webhook(subject: string, at: number, kind: JobKind = "movement-read") {
      await store.enqueue({ kind, eshopId: 1, subject, runAt: at }, at);
    }

    describe("claims and leases", () => {
      it("claims a due job with a lease and counts the attempt", async () => {
        await webhook("7", T0);
        const [job] = await queue.claim(T0, { limit: 5, leaseMs: LEASE });
        expect(job).toMatchObject({ kind: "movement-read", subject: "7", status: "running", attempts: 1, lockedUntil: T0 + LEASE });
        expect(await queue.claim(T0, { limit: 5, leaseMs: LEASE })).toEqual([]);
      });

      it("folds webhooks into the pending job, and never runs a subject twice at once", async () => {
        await webhook("7", T0);
        const [first] = await queue.claim(T0, { limit: 5, leaseMs: LEASE });
        for (let i = 1; i <= 10; i++) await webhook("7", T0 + i * 1000);
        expect(await queue.countByStatus()).toMatchObject({ running: 1, pending: 1 });
        expect((await queue.list({ status: "pending" }))[0]?.coalesced).toBe(10);
        // The pending row waits while the subject runs.
        expect(await queue.claim(T0 + 20_000, { limit: 5, leaseMs: LEASE })).toEqual([]);
        expect(await queue.complete(first!, T0 + 21_000)).toBe(true);
        const [second] = await queue.claim(T0 + 21_000, { limit: 5, leaseMs: LEASE });
        expect(second?.coalesced).toBe(10);
      });

      it("keeps the earliest run time of a folded job", async () => {
        await store.enqueue({ kind: "product-level", eshopId: 1, subject: "KAV-1", runAt: T0 + 5000 }, T0);
        await store.enqueue({ kind: "product-level", eshopId: 1, subject: "KAV-1", runAt: T0 + 1000 }, T0 + 1);
        await store.enqueue({ kind: "product-level", eshopId: 1, subject: "KAV-1", runAt: T0 + 9000 }, T0 + 2);
        expect(await store.list()).toEqual([
          expect.objectContaining({ subject: "KAV-1", status: "pending", eventId: null, runAt: T0 + 1000, coalesced: 3, attempts: 0 }),
        ]);
      });

      it("runs different subjects in parallel", async () => {
        await webhook("1", T0);
        await webhook("2", T0);
        await webhook("KAV-1", T0, "product-level");
        expect((await queue.claim(T0, { limit: 5, leaseMs: LEASE })).map((j) => j.subject).sort()).toEqual(["1", "2", "KAV-1"]);
      });

      it("turns an expired lease (a crash) back into pending work, merged with a newer pending job", async () => {
        await webhook("7", T0);
        const [job] = await queue.claim(T0, { limit: 1, leaseMs: LEASE });
        await webhook("7", T0 + 5000);
        // Lease still valid: nothing to claim.
        expect(await queue.claim(T0 + 1000, { limit: 1, leaseMs: LEASE })).toEqual([]);
        const [retried] = await queue.claim(T0 + LEASE + 1, { limit: 1, leaseMs: LEASE });
        expect(retried).toMatchObject({ subject: "7", attempts: 2, coalesced: 2 });
        expect(retried?.lastError).toMatch(/lease expired/);
        // The stale claim is fenced off.
        expect(await queue.isOwned(job!)).toBe(false);
        expect(await queue.complete(job!, T0 + LEASE + 2)).toBe(false);
        expect(await queue.isOwned(retried!)).toBe(true);
      });

      it("recovers jobs left running by a dead process at once", async () => {
        await webhook("7", T0);
        await queue.claim(T0, { limit: 1, leaseMs: LEASE });
        expect(await queue.recoverAbandoned(T0 + 10)).toBe(1);
        expect((await queue.claim(T0 + 10, { limit: 1, leaseMs: LEASE }))[0]?.attempts).toBe(2);
      });

      it("lets `skip` hold a subject back without starving the others", async () => {
        await webhook("1", T0);
        await webhook("2", T0 + 1);
        const claimed = await queue.claim(T0 + 10, { limit: 1, leaseMs: LEASE, skip: (j) => j.subject === "1" });
        expect(claimed.map((j) => j.subject)).toEqual(["2"]);
      });

      it("extends leases with a heartbeat only for claims still held", async () => {
        await webhook("7", T0);
        const [job] = await queue.claim(T0, { limit: 1, leaseMs: LEASE });
        await queue.heartbeat([job!], T0 + 50_000, LEASE);
        expect((await queue.get(job!.id))?.lockedUntil).toBe(T0 + 50_000 + LEASE);
        expect(await queue.claim(T0 + LEASE + 1, { limit: 1, leaseMs: LEASE })).toEqual([]);
        await queue.heartbeat([{ id: job!.id, attempts: job!.attempts + 1 }], T0 + 100_000, LEASE);
        expect((await queue.get(job!.id))?.lockedUntil).toBe(T0 + 50_000 + LEASE);
      });

      it("peeks at what a claim could take without claiming it", async () => {
        await webhook("1", T0);
        await webhook("2", T0 + 5000);
        expect((await store.peekDue(T0, 10)).map((j) => j.subject)).toEqual(["1"]);
        expect((await store.peekDue(T0 + 5000, 10)).map((j) => j.subject)).toEqual(["1", "2"]);
        expect(await store.countByStatus()).toMatchObject({ pending: 2, running: 0 });
      });
    });

    describe("failures", () => {
      it("reschedules a retryable failure with the policy's delay, or Retry-After when longer", async () => {
        await webhook("7", T0);
        const [job] = await queue.claim(T0, { limit: 1, leaseMs: LEASE });
        expect(await queue.fail(job!, { message: "503", retryable: true, retryAfterMs: null }, T0)).toBe("retry");
        expect(await queue.get(job!.id)).toMatchObject({ status: "pending", runAt: T0 + 1000, lastError: "503" });
        const [again] = await queue.claim(T0 + 1000, { limit: 1, leaseMs: LEASE });
        expect(await queue.fail(again!, { message: "429", retryable: true, retryAfterMs: 30_000 }, T0 + 1000)).toBe("retry");
        expect((await queue.get(job!.id))?.runAt).toBe(T0 + 31_000);
      });

      it("ends dead with the last error after maxAttempts, or at once when not retryable", async () => {
        await webhook("7", T0);
        let now = T0;
        for (let i = 0; i < 3; i++) {
          const [job] = await queue.claim(now, { limit: 1, leaseMs: LEASE });
          await queue.fail(job!, { message: `boom ${i}`, retryable: true, retryAfterMs: null }, now);
          now += 60_000;
        }
        const [dead] = await queue.list({ status: "dead" });
        expect(dead?.lastError).toMatch(/gave up after 3 attempts \(test policy\): boom 2/);
        await webhook("8", T0);
        const [job] = await queue.claim(now, { limit: 1, leaseMs: LEASE });
        expect(await queue.fail(job!, { message: "404 stock-not-found", retryable: false, retryAfterMs: null }, now)).toBe("dead");
        expect(await queue.retryDead(now)).toBe(2);
        expect(await queue.countByStatus()).toMatchObject({ dead: 0, pending: 2 });
      });

      it("merges a failed job into the newer pending job of its subject, keeping the attempt count", async () => {
        await webhook("7", T0);
        const [job] = await queue.claim(T0, { limit: 1, leaseMs: LEASE });
        await webhook("7", T0 + 1000);
        expect(await queue.fail(job!, { message: "503", retryable: true, retryAfterMs: null }, T0 + 2)).toBe("merged");
        const rows = await queue.list();
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ status: "pending", attempts: 1, coalesced: 2, runAt: T0 + 2 + 1000 });
      });

      it("records the answer it is given, and nothing for a lost claim", async () => {
        await webhook("7", T0);
        await webhook("8", T0);
        const [a, b] = await store.claim(T0, { limit: 2, leaseMs: LEASE }, () => ({ dead: true, error: "unused" }));
        const seen: number[] = [];
        const retry = (retryAt: number): ((job: { attempts: number }) => JobAnswer) => (j) => (seen.push(j.attempts), { retryAt, error: "later" });
        expect(await store.fail(a!, T0 + 1, retry(T0 + 777))).toBe("retry");
        expect(await store.get(a!.id)).toMatchObject({ status: "pending", runAt: T0 + 777, lastError: "later", lockedUntil: null, updatedAt: T0 + 1 });
        expect(await store.fail(b!, T0 + 2, () => ({ dead: true, error: "gone for good" }))).toBe("dead");
        expect(await store.get(b!.id)).toMatchObject({ status: "dead", lastError: "gone for good", lockedUntil: null });
        expect(await store.fail(a!, T0 + 3, retry(T0 + 999))).toBe("lost");
        expect(seen).toEqual([1]);
      });

      it("retries only the dead jobs asked for, and drops one whose subject has a pending job", async () => {
        await webhook("7", T0);
        await webhook("8", T0);
        const dead = () => ({ dead: true as const, error: "x" });
        for (const job of await store.claim(T0, { limit: 2, leaseMs: LEASE }, dead)) await store.fail(job, T0, dead);
        const [seven, eight] = await store.list({ status: "dead" });
        await webhook("7", T0 + 10);
        expect(await store.retryDead(T0 + 20, [eight!.id, 12345])).toBe(1);
        expect(await store.get(eight!.id)).toMatchObject({ status: "pending", attempts: 0, runAt: T0 + 20 });
        expect(await store.get(seven!.id)).toMatchObject({ status: "dead" });
        expect(await store.retryDead(T0 + 30)).toBe(1);
        expect(await store.get(seven!.id)).toBeNull();
        expect((await store.list({ kind: "movement-read" })).map((j) => [j.subject, j.status])).toEqual([
          ["8", "pending"],
          ["7", "pending"],
        ]);
      });
    });

    describe("housekeeping", () => {
      it("prunes finished jobs older than a cutoff, keeping dead and recent ones", async () => {
        await webhook("1", T0);
        await webhook("2", T0);
        const [a, b] = await queue.claim(T0, { limit: 2, leaseMs: LEASE });
        await queue.complete(a!, T0 + 1);
        await queue.fail(b!, { message: "gone", retryable: false, retryAfterMs: null }, T0 + 1);
        await webhook("3", T0 + 10_000);
        const [c] = await queue.claim(T0 + 10_000, { limit: 1, leaseMs: LEASE });
        await queue.complete(c!, T0 + 10_001);
        expect(await queue.pruneDone(T0 + 5_000)).toBe(1);
        expect((await queue.list()).map((j) => [j.subject, j.status])).toEqual([
          ["2", "dead"],
          ["3", "done"],
        ]);
      });
    });
  });
}
