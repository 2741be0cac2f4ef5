import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliveryRowAnswer } from "../../src/outbox/delivery-outcome.js";
import type { OutboxRow, OutboxStore, RowAnswerFor } from "../../src/outbox/outbox-store.js";
import { DELIVERY_RETRY } from "../../src/retry/retry-policy.js";
import { alert, digest, emailMsg, slackMsg, T0 } from "../helpers/outbox-fixtures.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const MAX = DELIVERY_RETRY.maxAttempts;
const LEASE_LOST = "the worker stopped while sending (its lease expired); sending again";

/** The delivery worker's answer for a failed row (the policy decides; the store records it). */
function failedAnswer(row: Pick<OutboxRow, "id" | "attempts" | "maxAttempts">, error: string, retryAt: number, retryable = true) {
  const answer = deliveryRowAnswer(DELIVERY_RETRY, row, { retryable, backoff: false }, error, T0, () => 0.5);
  return "dead" in answer ? answer : { ...answer, retryAt };
}

/** Hands expired rows back as the worker does: due at once, dead when out of attempts. */
const handBack =
  (now: number): RowAnswerFor =>
  (row) =>
    deliveryRowAnswer(DELIVERY_RETRY, row, { retryable: true, backoff: false }, LEASE_LOST, now, () => 0.5);

/** The contract of an OutboxStore: written against the interface, every call awaited. */
export function outboxStoreContract(name: string, open: OpenStore<OutboxStore>): void {
  describe(`OutboxStore contract (${name})`, () => {
    let opened: OpenedStore<OutboxStore>;
    let r: OutboxStore;
    beforeEach(async () => {
      opened = await open();
      r = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("ignores a second message with the same dedupe key and returns the first id", async () => {
      const msg = slackMsg(alert("KAV-1"));
      const a = await r.enqueue(msg, T0, MAX);
      const b = await r.enqueue({ ...msg, body: alert("OTHER") }, T0 + 5, MAX);
      expect(a.duplicate).toBe(false);
      expect(b).toEqual({ id: a.id, duplicate: true });
      expect(await r.list()).toHaveLength(1);
      expect((await r.list())[0]!.summary).toContain("KAV-1");
    });

    it("enqueues inside the caller's transaction: a rollback leaves no row", async () => {
      expect(() =>
        r.atomically(() => {
          r.enqueue(slackMsg(alert("KAV-1")), T0, MAX);
          throw new Error("state change failed");
        }),
      ).toThrow("state change failed");
      expect(await r.list()).toHaveLength(0);
    });

    it("rejects a message without a destination", async () => {
      expect(() => r.enqueue({ ...slackMsg(alert("A")), destination: { type: "email", to: [] } }, T0, MAX)).toThrow(/recipients/);
    });

    it("offers only due rows, the oldest per lane, and claims each once under a lease", async () => {
      const a1 = (await r.enqueue(slackMsg(alert("A1")), T0, MAX)).id;
      await r.enqueue(slackMsg(alert("A2")), T0, MAX);
      const b1 = (await r.enqueue(slackMsg(alert("B1"), { slackChannel: "#b" }), T0, MAX)).id;
      await r.enqueue(slackMsg(alert("LATER"), { slackChannel: "#c", notBefore: T0 + 60_000 }), T0, MAX);
      const due = await r.dueLanes(T0);
      expect(due.map((d) => d.id).sort()).toEqual([a1, b1].sort());
      const claim = (await r.claim(a1, T0, 30_000))!;
      expect(claim.rows.map((x) => x.id)).toEqual([a1]);
      expect(claim.leader.attempts).toBe(1);
      expect(claim.leader.maxAttempts).toBe(MAX);
      expect(await r.claim(a1, T0, 30_000)).toBeUndefined();
      expect((await r.get(a1))!.status).toBe("sending");
    });

    it("claims every waiting row of the group with the leader, even those not yet due", async () => {
      const ids: number[] = [];
      for (const [i, c] of ["A", "B", "C"].entries()) {
        ids.push((await r.enqueue(slackMsg(alert(c), { groupKey: "sold-out:warehouse:open", notBefore: T0 + i * 1000 }), T0, MAX)).id);
      }
      await r.enqueue(slackMsg(alert("OTHER"), { groupKey: "other" }), T0, MAX);
      const claim = (await r.claim(ids[0]!, T0, 30_000))!;
      expect(claim.rows.map((x) => x.id)).toEqual(ids);
    });

    it("makes a failed row retry at the given time, and dead once out of attempts", async () => {
      const id = (await r.enqueue(slackMsg(alert("A")), T0, MAX)).id;
      let claim = (await r.claim(id, T0, 30_000))!;
      await r.markFailed([failedAnswer(claim.leader, "HTTP 500", T0 + 10_000)], T0, true);
      const view = (await r.get(id))!;
      expect(view).toMatchObject({ status: "retrying", attempts: 1, lastError: "HTTP 500" });
      expect(view.nextAttemptAt).toBe(new Date(T0 + 10_000).toISOString());
      expect(await r.dueLanes(T0 + 9_999)).toHaveLength(0);
      expect(await r.dueLanes(T0 + 10_000)).toHaveLength(1);
      for (let i = 2; i <= 20; i++) {
        claim = (await r.claim(id, T0 + 10_000 * i, 30_000))!;
        await r.markFailed([failedAnswer(claim.leader, "HTTP 500", T0 + 10_000 * (i + 1))], T0, true);
      }
      expect(await r.get(id)).toMatchObject({ status: "dead", attempts: 20, lastError: "gave up after 20 attempts: HTTP 500", nextAttemptAt: null });
    });

    it("records a dead answer with its error, whatever the attempts", async () => {
      const id = (await r.enqueue(slackMsg(alert("A")), T0, MAX)).id;
      await r.claim(id, T0, 30_000);
      await r.markFailed([{ id, dead: true, error: "channel_not_found" }], T0 + 1, true);
      expect(await r.get(id)).toMatchObject({ status: "dead", attempts: 1, lastError: "channel_not_found" });
      expect(await r.dueLanes(T0 + 3_600_000)).toHaveLength(0);
    });

    it("does not count a paused attempt", async () => {
      const id = (await r.enqueue(emailMsg(digest()), T0, MAX)).id;
      await r.claim(id, T0, 30_000);
      await r.markFailed([{ id, retryAt: T0 + 300_000, error: "auth" }], T0, false);
      expect(await r.get(id)).toMatchObject({ status: "retrying", attempts: 0 });
    });

    it("hands a row whose lease expired back, but not the ones this process is sending", async () => {
      const a = (await r.enqueue(slackMsg(alert("A")), T0, MAX)).id;
      const b = (await r.enqueue(slackMsg(alert("B"), { slackChannel: "#b" }), T0, MAX)).id;
      await r.claim(a, T0, 30_000);
      await r.claim(b, T0, 30_000);
      expect(await r.recoverExpiredLeases(T0 + 29_999, [], handBack(T0 + 29_999))).toBe(0);
      expect(await r.recoverExpiredLeases(T0 + 30_000, [b], handBack(T0 + 30_000))).toBe(1);
      expect(await r.get(a)).toMatchObject({ status: "retrying", attempts: 1 });
      expect((await r.get(a))!.lastError).toMatch(/lease expired/);
      // It keeps its place in the lane: due at its old time.
      expect((await r.get(a))!.nextAttemptAt).toBe(new Date(T0).toISOString());
      expect((await r.get(b))!.status).toBe("sending");
      expect((await r.dueLanes(T0 + 30_000)).map((d) => d.id)).toEqual([a]);
    });

    it("ends a row handed back after its last attempt dead", async () => {
      const a = (await r.enqueue(slackMsg(alert("A")), T0, 1)).id;
      await r.claim(a, T0, 30_000);
      expect(await r.recoverExpiredLeases(T0 + 30_000, [], handBack(T0 + 30_000))).toBe(1);
      expect(await r.get(a)).toMatchObject({ status: "dead", attempts: 1, lastError: `gave up after 1 attempts: ${LEASE_LOST}` });
    });

    it("marks due rows of a transport as unconfigured and names their channels", async () => {
      await r.enqueue(slackMsg(alert("A")), T0, MAX);
      await r.enqueue(slackMsg(alert("B"), { channel: "office", slackChannel: "#office" }), T0, MAX);
      await r.enqueue(emailMsg(digest()), T0, MAX);
      const marked = await r.markUnconfigured("slack", T0, "set SLACK_BOT_TOKEN");
      expect(marked.count).toBe(2);
      expect(marked.channels.sort()).toEqual(["office", "warehouse"]);
      expect(await r.counts()).toMatchObject({ unconfigured: 2, pending: 1 });
      expect(await r.retryAll("unconfigured", T0 + 1)).toBe(2);
      expect(await r.counts()).toMatchObject({ unconfigured: 0, pending: 3 });
    });

    it("lists newest first in the API shape, filtered by status", async () => {
      const a = (await r.enqueue(slackMsg(alert("A")), T0, MAX)).id;
      const b = (await r.enqueue(emailMsg(digest(), { destination: { type: "email", to: ["a@x.cz", "b@x.cz"] } }), T0 + 1, MAX)).id;
      await r.claim(a, T0, 1000);
      await r.markSent([a], T0 + 5, "C1 1.2");
      expect((await r.list()).map((d) => d.id)).toEqual([b, a]);
      expect(await r.list({ status: "sent" })).toEqual([
        {
          id: a,
          channel: "warehouse",
          transport: "slack",
          destination: "#warehouse",
          kind: "alert",
          status: "sent",
          attempts: 1,
          lastError: null,
          nextAttemptAt: null,
          createdAt: new Date(T0).toISOString(),
          sentAt: new Date(T0 + 5).toISOString(),
          summary: "Sold out: A Coffee A (0 left, minimum 5)",
        },
      ]);
      expect((await r.list({ status: "pending" }))[0]).toMatchObject({ id: b, destination: "a@x.cz, b@x.cz", kind: "digest" });
      expect((await r.list({ before: b })).map((d) => d.id)).toEqual([a]);
      expect((await r.list({ statuses: ["pending", "dead"] })).map((d) => d.id)).toEqual([b]);
    });

    it("retries dead rows with fresh attempts, refuses sent ones, knows unknown ids", async () => {
      const a = (await r.enqueue(slackMsg(alert("A")), T0, MAX)).id;
      const claim = (await r.claim(a, T0, 1000))!;
      await r.markFailed([failedAnswer(claim.leader, "channel_not_found", T0, false)], T0, true);
      expect((await r.get(a))!.status).toBe("dead");
      expect(await r.retry(a, T0 + 100)).toBe("queued");
      expect(await r.get(a)).toMatchObject({ status: "pending", attempts: 0, lastError: null });
      await r.claim(a, T0 + 100, 1000);
      expect(await r.retry(a, T0 + 100)).toBe("in_progress");
      await r.markSent([a], T0 + 200, null);
      expect(await r.retry(a, T0 + 300)).toBe("already_sent");
      expect(await r.retry(999, T0)).toBe("not_found");
    });

    it("names the next waiting row's time, or a foreign lease's end, or null", async () => {
      expect(await r.nextDueAfter(T0)).toBeNull();
      const a = (await r.enqueue(slackMsg(alert("A"), { notBefore: T0 + 5000 }), T0, MAX)).id;
      expect(await r.nextDueAfter(T0)).toBe(T0 + 5000);
      await r.claim(a, T0 + 5000, 30_000);
      expect(await r.nextDueAfter(T0 + 5000)).toBe(T0 + 35_000);
      expect(await r.nextDueAfter(T0 + 5000, [a])).toBeNull();
    });
  });
}
