import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createOutbox, type Outbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker, type DeliveryWorker, type DeliveryWorkerDeps } from "../../src/outbox/delivery-worker.js";
import { DELIVERY_RETRY } from "../../src/retry/retry-policy.js";
import { FixedClock } from "../../src/shared/clock.js";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, captureLogger, digest, slackMsg, T0 } from "../helpers/outbox-fixtures.js";

const TOKEN = "xoxb-1111-2222-secretsecret";

interface Rig {
  db: Db;
  clock: FixedClock;
  slack: SlackStandin;
  outbox: Outbox;
  worker: DeliveryWorker;
  logs: ReturnType<typeof captureLogger>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rig(options: { token?: string | undefined; worker?: Partial<DeliveryWorkerDeps> } = {}): Promise<Rig> {
  const clock = new FixedClock(T0);
  const db = openDatabase(tempDbPath());
  const slack = await startSlackStandin({ token: TOKEN, now: () => clock.now() });
  const logs = captureLogger();
  const token = "token" in options ? options.token : TOKEN;
  const notifiers = createNotifiers(
    { slackBotToken: token, slackApiUrl: slack.url, smtpUrl: undefined, mailFrom: "stockwatch@shop.test" },
    { db, clock, logger: logs.logger, slackTimeoutMs: 2000 },
  );
  const worker = createDeliveryWorker({
    db,
    clock,
    logger: logs.logger,
    notifiers,
    secrets: [TOKEN],
    random: () => 0.5,
    // Pacing waits move the test clock instead of sleeping.
    sleep: async (ms) => clock.advance(ms),
    ...options.worker,
  });
  cleanups.push(
    () => void db.close(),
    () => slack.close(),
    () => worker.stop(),
    () => expect(logs.text()).not.toContain("cannot write the outbox"),
  );
  return { db, clock, slack, outbox: createOutbox(db, clock), worker, logs };
}

describe("delivery to Slack", () => {
  it("posts a sold-out alert with the product code in text and blocks", async () => {
    const r = await rig();
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1")));
    await r.worker.runUntilIdle();
    const [post, ...more] = r.slack.ok("chat.postMessage");
    expect(more).toHaveLength(0);
    expect(post!.params.channel).toBe("#warehouse");
    expect(post!.params.text).toContain("KAV-1");
    expect(JSON.stringify(post!.params.blocks)).toContain("KAV-1");
    expect(post!.contentType).toContain("application/x-www-form-urlencoded");
    expect(post!.authorization).toBe(`Bearer ${TOKEN}`);
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 1, lastError: null, sentAt: new Date(T0).toISOString() });
  });

  it("updates the incident's message on resolve and replies in its thread", async () => {
    const r = await rig();
    r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7 })));
    await r.worker.runUntilIdle();
    const ts = r.slack.ok("chat.postMessage")[0]!.ts!;
    r.clock.advance(60_000);
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7, transition: "resolve", quantity: 12, level: "ok" })));
    await r.worker.runUntilIdle();

    const [update, ...moreUpdates] = r.slack.ok("chat.update");
    expect(moreUpdates).toHaveLength(0);
    expect(update!.params.ts).toBe(ts);
    expect(update!.params.channel).toBe(r.slack.channelId("#warehouse"));
    expect(update!.params.text).toContain("Back in stock: KAV-1");
    const posts = r.slack.ok("chat.postMessage");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.params.thread_ts).toBe(ts);
    expect(posts[1]!.params.text).toContain("Back in stock");
    expect(r.slack.messages.get(ts)!.updates).toBe(1);
    expect(r.outbox.get(id)!.status).toBe("sent");
  });

  it("sends a reminder as a thread reply also shown in the channel", async () => {
    const r = await rig();
    r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7 })));
    await r.worker.runUntilIdle();
    const ts = r.slack.ok("chat.postMessage")[0]!.ts!;
    r.clock.advance(43_200_000);
    r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7, transition: "remind", summary: "Still sold out: KAV-1" })));
    await r.worker.runUntilIdle();
    const reply = r.slack.ok("chat.postMessage")[1]!;
    expect(reply.params).toMatchObject({ thread_ts: ts, reply_broadcast: "true" });
    expect(reply.params.text).toContain("Still sold out: KAV-1");
    expect(r.slack.ok("chat.update")).toHaveLength(0);
  });

  it("posts a new message when the incident's message was deleted", async () => {
    const r = await rig();
    r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7 })));
    await r.worker.runUntilIdle();
    r.slack.messages.delete(r.slack.ok("chat.postMessage")[0]!.ts!);
    r.clock.advance(60_000);
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1", { alertId: 7, transition: "resolve" })));
    await r.worker.runUntilIdle();
    expect(r.slack.calls.filter((c) => c.method === "chat.update").map((c) => c.answer)).toEqual(["message_not_found"]);
    const posts = r.slack.ok("chat.postMessage");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.params.thread_ts).toBeUndefined();
    expect(posts[1]!.params.text).toContain("Back in stock: KAV-1");
    expect(r.outbox.get(id)!.status).toBe("sent");
  });

  it("posts a resolve as a new message when no message is known for the incident", async () => {
    const r = await rig();
    r.outbox.enqueue(slackMsg(alert("KAV-9", { alertId: 99, transition: "resolve" })));
    await r.worker.runUntilIdle();
    expect(r.slack.ok("chat.update")).toHaveLength(0);
    expect(r.slack.ok("chat.postMessage")).toHaveLength(1);
    expect(r.slack.ok("chat.postMessage")[0]!.params.thread_ts).toBeUndefined();
  });

  it("honours Retry-After: 2 on a 429 and delivers once", async () => {
    const r = await rig({ worker: { policy: { ...DELIVERY_RETRY, baseMs: 100 } } });
    r.slack.failNext("chat.postMessage", { status: 429, retryAfter: 2 });
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1")));
    await r.worker.runUntilIdle();
    const failedAt = r.clock.now();
    const row = r.outbox.get(id)!;
    expect(row).toMatchObject({ status: "retrying", attempts: 1 });
    expect(row.lastError).toContain("rate limit");
    expect(Date.parse(row.nextAttemptAt!) - failedAt).toBeGreaterThanOrEqual(2000);

    r.clock.advance(1999);
    await r.worker.runUntilIdle();
    expect(r.slack.calls).toHaveLength(1);

    r.clock.advance(1);
    await r.worker.runUntilIdle();
    const posts = r.slack.ok("chat.postMessage");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.at - failedAt).toBeGreaterThanOrEqual(2000);
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("retries through three HTTP 500s and delivers once", async () => {
    const r = await rig();
    r.slack.failNext("chat.postMessage", { status: 500 }, { status: 500 }, { status: 500 });
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1")));
    for (let i = 0; i < 4; i++) {
      await r.worker.runUntilIdle();
      const next = r.outbox.get(id)!.nextAttemptAt;
      if (next) r.clock.set(Date.parse(next));
    }
    expect(r.slack.calls.map((c) => c.answer)).toEqual(["500", "500", "500", "ok"]);
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 4 });
  });

  it("marks channel_not_found dead with the reason and never retries it", async () => {
    const r = await rig();
    r.slack.missingChannel("#gone");
    const { id } = r.outbox.enqueue(slackMsg(alert("KAV-1"), { slackChannel: "#gone" }));
    await r.worker.runUntilIdle();
    r.clock.advance(86_400_000);
    await r.worker.runUntilIdle();
    expect(r.slack.calls).toHaveLength(1);
    const row = r.outbox.get(id)!;
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    expect(row.lastError).toContain("channel_not_found");
    expect(r.logs.text()).toContain("delivery is dead");
  });

  it("merges rows of one group pending when the first is due into one message", async () => {
    const r = await rig();
    const ids = ["A-1", "A-2", "A-3"].map(
      (code, i) => r.outbox.enqueue(slackMsg(alert(code, { alertId: i + 1 }), { groupKey: "sold-out:warehouse:open", notBefore: T0 + 5000 + i })).id,
    );
    await r.worker.runUntilIdle();
    expect(r.slack.calls).toHaveLength(0);
    r.clock.set(T0 + 5000);
    await r.worker.runUntilIdle();
    const posts = r.slack.ok("chat.postMessage");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params.text).toMatch(/^3 products sold out/);
    for (const code of ["A-1", "A-2", "A-3"]) expect(JSON.stringify(posts[0]!.params.blocks)).toContain(code);
    for (const id of ids) expect(r.outbox.get(id)!.status).toBe("sent");

    // A resolve of one member updates the grouped message in place.
    r.clock.advance(60_000);
    r.outbox.enqueue(slackMsg(alert("A-2", { alertId: 2, transition: "resolve" })));
    await r.worker.runUntilIdle();
    const update = r.slack.ok("chat.update")[0]!;
    expect(update.params.ts).toBe(posts[0]!.ts);
    expect(update.params.text).toMatch(/^2 products sold out \(1 resolved\)/);
  });

  it("keeps at most one message per second per channel, without holding up other channels", async () => {
    const r = await rig();
    for (const code of ["A", "B", "C"]) r.outbox.enqueue(slackMsg(alert(code)));
    r.outbox.enqueue(slackMsg(alert("OTHER"), { slackChannel: "#office" }));
    await r.worker.runUntilIdle();
    const times = (channel: string) => r.slack.ok("chat.postMessage").filter((c) => c.params.channel === channel).map((c) => c.at);
    const warehouse = times("#warehouse");
    expect(warehouse).toHaveLength(3);
    for (let i = 1; i < warehouse.length; i++) expect(warehouse[i]! - warehouse[i - 1]!).toBeGreaterThanOrEqual(1000);
    expect(times("#office")).toEqual([T0]);
  });

  it("posts a digest as a short summary", async () => {
    const r = await rig();
    r.outbox.enqueue(slackMsg(digest()));
    await r.worker.runUntilIdle();
    const post = r.slack.ok("chat.postMessage")[0]!;
    expect(post.params.text).toContain("Stock digest morning");
  });

  it("keeps messages as unconfigured without a token and logs it once per channel", async () => {
    const r = await rig({ token: undefined });
    const a = r.outbox.enqueue(slackMsg(alert("A"))).id;
    r.outbox.enqueue(slackMsg(alert("B")));
    await r.worker.runUntilIdle();
    const row = r.outbox.get(a)!;
    expect(row.status).toBe("unconfigured");
    expect(row.lastError).toContain("SLACK_BOT_TOKEN");
    expect(r.outbox.list({ status: "unconfigured" })).toHaveLength(2);
    const warnings = r.logs.lines.filter((l) => l.includes("kept as unconfigured"));
    expect(warnings).toHaveLength(1);
    expect(r.slack.calls).toHaveLength(0);
  });
});

describe("long grouped messages on Slack", () => {
  const GROUP = "sold-out:warehouse:open";
  /** `n` sold-out alerts of one group, due together, with the buttons on. */
  function enqueueGroup(r: Rig, n: number): number[] {
    return Array.from({ length: n }, (_, i) => {
      const body = { ...alert(`A-${i}`, { alertId: i + 1 }), actions: true };
      return r.outbox.enqueue(slackMsg(body, { groupKey: GROUP, notBefore: T0 })).id;
    });
  }
  const named = (calls: { params: Record<string, unknown> }[]) => calls.map((c) => JSON.stringify(c.params.blocks)).join("\n");

  it("posts 60 products as one message naming 20 and a reply in its thread naming the other 40", async () => {
    const r = await rig();
    const ids = enqueueGroup(r, 60);
    await r.worker.runUntilIdle();
    const [main, ...replies] = r.slack.ok("chat.postMessage");
    expect(main!.params.thread_ts).toBeUndefined();
    expect(main!.params.text).toMatch(/^60 products sold out\n/);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.params.thread_ts).toBe(main!.ts);
    expect(replies[0]!.params.reply_broadcast).toBe("false");
    for (let i = 0; i < 60; i++) {
      const where = i < 20 ? named([main!]) : named(replies);
      expect(where, `A-${i}`).toContain(`\`A-${i}\``);
    }
    // The buttons reach Slack in the main message only.
    expect(named([main!])).toContain('"action_id":"stockwatch.ack"');
    expect(named(replies)).not.toContain("stockwatch.");
    for (const id of ids) expect(r.outbox.get(id)!.status).toBe("sent");
  });

  it("after a 429 on the continuation reply, retries the reply and does not post the message again", async () => {
    const r = await rig({ worker: { policy: { ...DELIVERY_RETRY, baseMs: 100 } } });
    // The message goes through, the reply in its thread is rate limited.
    r.slack.failNext("chat.postMessage", { delayMs: 0 }, { status: 429, retryAfter: 1 });
    const ids = enqueueGroup(r, 60);
    await r.worker.runUntilIdle();
    expect(r.outbox.get(ids[0]!)).toMatchObject({ status: "retrying" });
    r.clock.advance(1000);
    await r.worker.runUntilIdle();
    const posts = r.slack.ok("chat.postMessage");
    const inChannel = posts.filter((p) => p.params.thread_ts === undefined);
    expect(inChannel).toHaveLength(1);
    const replies = posts.filter((p) => p.params.thread_ts === inChannel[0]!.ts);
    expect(replies).toHaveLength(1);
    for (let i = 20; i < 60; i++) expect(named(replies)).toContain(`\`A-${i}\``);
    for (const id of ids) expect(r.outbox.get(id)!.status).toBe("sent");
  });

  it("updates the long message on a resolve of one of its products, with a reply naming it", async () => {
    const r = await rig();
    enqueueGroup(r, 60);
    await r.worker.runUntilIdle();
    const main = r.slack.ok("chat.postMessage")[0]!;
    r.clock.advance(60_000);
    r.outbox.enqueue(slackMsg(alert("A-42", { alertId: 43, transition: "resolve" })));
    await r.worker.runUntilIdle();
    const update = r.slack.ok("chat.update")[0]!;
    expect(update.params.ts).toBe(main.ts);
    expect(update.params.text).toMatch(/^59 products sold out \(1 resolved\)/);
    expect(Object.keys(update.params)).not.toContain("replies");
    const reply = r.slack.ok("chat.postMessage").at(-1)!;
    expect(reply.params.thread_ts).toBe(main.ts);
    expect(reply.params.text).toContain("A-42");
  });
});
