import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { OutboxRepo } from "../../src/outbox/outbox-repo.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, digest, emailMsg, slackMsg, T0 } from "../helpers/outbox-fixtures.js";

const open: Db[] = [];
function repo(): { db: Db; repo: OutboxRepo } {
  const db = openDatabase(tempDbPath());
  open.push(db);
  return { db, repo: new OutboxRepo(db) };
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

describe("OutboxRepo", () => {
  it("ignores a second message with the same dedupe key and returns the first id", () => {
    const { repo: r } = repo();
    const msg = slackMsg(alert("KAV-1"));
    const a = r.enqueue(msg, T0);
    const b = r.enqueue({ ...msg, body: alert("OTHER") }, T0 + 5);
    expect(a.duplicate).toBe(false);
    expect(b).toEqual({ id: a.id, duplicate: true });
    expect(r.list()).toHaveLength(1);
    expect(r.list()[0]!.summary).toContain("KAV-1");
  });

  it("enqueues inside the caller's transaction: a rollback leaves no row", () => {
    const { db, repo: r } = repo();
    const tx = db.transaction(() => {
      r.enqueue(slackMsg(alert("KAV-1")), T0);
      throw new Error("state change failed");
    });
    expect(() => tx()).toThrow("state change failed");
    expect(r.list()).toHaveLength(0);
  });

  it("rejects a message without a destination", () => {
    const { repo: r } = repo();
    expect(() => r.enqueue({ ...slackMsg(alert("A")), destination: { type: "email", to: [] } }, T0)).toThrow(/recipients/);
  });

  it("offers only due rows, the oldest per lane, and claims each once under a lease", () => {
    const { repo: r } = repo();
    const a1 = r.enqueue(slackMsg(alert("A1")), T0).id;
    r.enqueue(slackMsg(alert("A2")), T0);
    const b1 = r.enqueue(slackMsg(alert("B1"), { slackChannel: "#b" }), T0).id;
    r.enqueue(slackMsg(alert("LATER"), { slackChannel: "#c", notBefore: T0 + 60_000 }), T0);
    const due = r.dueLanes(T0);
    expect(due.map((d) => d.id).sort()).toEqual([a1, b1].sort());
    const claim = r.claim(a1, T0, 30_000)!;
    expect(claim.rows.map((x) => x.id)).toEqual([a1]);
    expect(claim.leader.attempts).toBe(1);
    expect(r.claim(a1, T0, 30_000)).toBeUndefined();
    expect(r.get(a1)!.status).toBe("sending");
  });

  it("claims every waiting row of the group with the leader, even those not yet due", () => {
    const { repo: r } = repo();
    const ids = ["A", "B", "C"].map(
      (c, i) => r.enqueue(slackMsg(alert(c), { groupKey: "sold-out:warehouse:open", notBefore: T0 + i * 1000 }), T0).id,
    );
    r.enqueue(slackMsg(alert("OTHER"), { groupKey: "other" }), T0);
    const claim = r.claim(ids[0]!, T0, 30_000)!;
    expect(claim.rows.map((x) => x.id)).toEqual(ids);
  });

  it("makes a failed row retry at the given time, and dead once out of attempts", () => {
    const { repo: r } = repo();
    const id = r.enqueue(slackMsg(alert("A")), T0).id;
    r.claim(id, T0, 30_000);
    expect(r.markFailed([id], T0, { nextAttemptAt: T0 + 10_000, error: "HTTP 500", permanent: false, countAttempt: true })).toEqual([
      { id, status: "retrying" },
    ]);
    const view = r.get(id)!;
    expect(view).toMatchObject({ status: "retrying", attempts: 1, lastError: "HTTP 500" });
    expect(view.nextAttemptAt).toBe(new Date(T0 + 10_000).toISOString());
    expect(r.dueLanes(T0 + 9_999)).toHaveLength(0);
    expect(r.dueLanes(T0 + 10_000)).toHaveLength(1);
    for (let i = 2; i <= 20; i++) {
      r.claim(id, T0 + 10_000 * i, 30_000);
      r.markFailed([id], T0, { nextAttemptAt: T0 + 10_000 * (i + 1), error: "HTTP 500", permanent: false, countAttempt: true });
    }
    expect(r.get(id)).toMatchObject({ status: "dead", attempts: 20, lastError: "gave up after 20 attempts: HTTP 500", nextAttemptAt: null });
  });

  it("does not count a paused attempt", () => {
    const { repo: r } = repo();
    const id = r.enqueue(emailMsg(digest()), T0).id;
    r.claim(id, T0, 30_000);
    r.markFailed([id], T0, { nextAttemptAt: T0 + 300_000, error: "auth", permanent: false, countAttempt: false });
    expect(r.get(id)).toMatchObject({ status: "retrying", attempts: 0 });
  });

  it("hands a row whose lease expired back, but not the ones this process is sending", () => {
    const { repo: r } = repo();
    const a = r.enqueue(slackMsg(alert("A")), T0).id;
    const b = r.enqueue(slackMsg(alert("B"), { slackChannel: "#b" }), T0).id;
    r.claim(a, T0, 30_000);
    r.claim(b, T0, 30_000);
    expect(r.recoverExpiredLeases(T0 + 29_999)).toBe(0);
    expect(r.recoverExpiredLeases(T0 + 30_000, [b])).toBe(1);
    expect(r.get(a)).toMatchObject({ status: "retrying", attempts: 1 });
    expect(r.get(a)!.lastError).toMatch(/lease expired/);
    expect(r.get(b)!.status).toBe("sending");
    expect(r.dueLanes(T0 + 30_000).map((d) => d.id)).toEqual([a]);
  });

  it("marks due rows of a transport as unconfigured and names their channels", () => {
    const { repo: r } = repo();
    r.enqueue(slackMsg(alert("A")), T0);
    r.enqueue(slackMsg(alert("B"), { channel: "office", slackChannel: "#office" }), T0);
    r.enqueue(emailMsg(digest()), T0);
    const marked = r.markUnconfigured("slack", T0, "set SLACK_BOT_TOKEN");
    expect(marked.count).toBe(2);
    expect(marked.channels.sort()).toEqual(["office", "warehouse"]);
    expect(r.counts()).toMatchObject({ unconfigured: 2, pending: 1 });
    expect(r.retryAll("unconfigured", T0 + 1)).toBe(2);
    expect(r.counts()).toMatchObject({ unconfigured: 0, pending: 3 });
  });

  it("lists newest first in the API shape, filtered by status", () => {
    const { repo: r } = repo();
    const a = r.enqueue(slackMsg(alert("A")), T0).id;
    const b = r.enqueue(emailMsg(digest(), { destination: { type: "email", to: ["a@x.cz", "b@x.cz"] } }), T0 + 1).id;
    r.claim(a, T0, 1000);
    r.markSent([a], T0 + 5, "C1 1.2");
    expect(r.list().map((d) => d.id)).toEqual([b, a]);
    expect(r.list({ status: "sent" })).toEqual([
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
    expect(r.list({ status: "pending" })[0]).toMatchObject({ id: b, destination: "a@x.cz, b@x.cz", kind: "digest" });
    expect(r.list({ before: b }).map((d) => d.id)).toEqual([a]);
    expect(r.list({ statuses: ["pending", "dead"] }).map((d) => d.id)).toEqual([b]);
  });

  it("retries dead rows with fresh attempts, refuses sent ones, knows unknown ids", () => {
    const { repo: r } = repo();
    const a = r.enqueue(slackMsg(alert("A")), T0).id;
    r.claim(a, T0, 1000);
    r.markFailed([a], T0, { nextAttemptAt: T0, error: "channel_not_found", permanent: true, countAttempt: true });
    expect(r.get(a)!.status).toBe("dead");
    expect(r.retry(a, T0 + 100)).toBe("queued");
    expect(r.get(a)).toMatchObject({ status: "pending", attempts: 0, lastError: null });
    r.claim(a, T0 + 100, 1000);
    expect(r.retry(a, T0 + 100)).toBe("in_progress");
    r.markSent([a], T0 + 200, null);
    expect(r.retry(a, T0 + 300)).toBe("already_sent");
    expect(r.retry(999, T0)).toBe("not_found");
  });
});

describe("OutboxRepo.nextDueAfter", () => {
  it("names the next waiting row's time, or a foreign lease's end, or null", () => {
    const { repo: r } = repo();
    expect(r.nextDueAfter(T0)).toBeNull();
    const a = r.enqueue(slackMsg(alert("A"), { notBefore: T0 + 5000 }), T0).id;
    expect(r.nextDueAfter(T0)).toBe(T0 + 5000);
    r.claim(a, T0 + 5000, 30_000);
    expect(r.nextDueAfter(T0 + 5000)).toBe(T0 + 35_000);
    expect(r.nextDueAfter(T0 + 5000, [a])).toBeNull();
  });
});
