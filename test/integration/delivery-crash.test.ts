import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import type { Notifier } from "../../src/notifiers/notifier.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker } from "../../src/outbox/delivery-worker.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { startSlackStandin } from "../helpers/slack-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, slackMsg, T0 } from "../helpers/outbox-fixtures.js";

const TOKEN = "xoxb-crash-test-token";
const LEASE = 60_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("a worker that dies between sending and recording", () => {
  it("leads to at most one duplicate per message and never to a loss", async () => {
    const path = tempDbPath();
    const clock = new FixedClock(T0);
    const slack = await startSlackStandin({ token: TOKEN, now: () => clock.now() });
    cleanups.push(() => slack.close());
    const settings = { slackBotToken: TOKEN, slackApiUrl: slack.url, smtpUrl: undefined, mailFrom: "x@shop.test" };
    const messages = [
      slackMsg(alert("A-1", { alertId: 1 }), { slackChannel: "#a" }),
      slackMsg(alert("A-2", { alertId: 2 }), { slackChannel: "#a" }),
      slackMsg(alert("B-1", { alertId: 3 }), { slackChannel: "#b" }),
      slackMsg(alert("C-1", { alertId: 4 }), { slackChannel: "#c" }),
    ];

    // Process 1: Slack accepts the sends in flight, then the process "dies" before recording any.
    const db1: Db = openDatabase(path);
    const outbox1 = createOutbox(db1, clock);
    const ids = messages.map((m) => outbox1.enqueue(m).id);
    const real = createNotifiers(settings, { db: db1, clock, logger: silentLogger() }).slack!;
    let dead = false;
    let died!: () => void;
    const diedP = new Promise<void>((resolve) => (died = resolve));
    const dying: Notifier = {
      transport: "slack",
      async send(message) {
        if (dead) return new Promise(() => undefined);
        await real.send(message);
        dead = true;
        died();
        return new Promise(() => undefined);
      },
    };
    const worker1 = createDeliveryWorker({ db: db1, clock, logger: silentLogger(), notifiers: { slack: dying }, secrets: [], leaseMs: LEASE });
    void worker1.runUntilIdle();
    await diedP;
    await new Promise((r) => setTimeout(r, 100)); // let the other sends in flight reach Slack
    db1.close();
    const sentBeforeCrash = slack.ok("chat.postMessage").length;
    expect(sentBeforeCrash).toBeGreaterThanOrEqual(1);

    // Process 2 starts on the same file.
    const db2 = openDatabase(path);
    cleanups.push(() => void db2.close());
    const worker2 = createDeliveryWorker({
      db: db2,
      clock,
      logger: silentLogger(),
      notifiers: createNotifiers(settings, { db: db2, clock, logger: silentLogger() }),
      secrets: [],
      leaseMs: LEASE,
      sleep: async (ms) => clock.advance(ms),
    });
    cleanups.push(() => worker2.stop());
    const outbox2 = createOutbox(db2, clock);

    // While the dead worker's lease runs, its rows are left alone.
    clock.advance(LEASE - 1);
    await worker2.runUntilIdle();
    const claimed = ids.filter((id) => outbox2.get(id)!.status === "sending");
    expect(claimed.length).toBeGreaterThanOrEqual(1);

    clock.advance(1);
    await worker2.runUntilIdle();
    for (const id of ids) expect(outbox2.get(id)!.status).toBe("sent");
    const posts = slack.ok("chat.postMessage");
    for (const code of ["A-1", "A-2", "B-1", "C-1"]) {
      const n = posts.filter((p) => String(p.params.text).includes(code)).length;
      expect(n, code).toBeGreaterThanOrEqual(1);
      expect(n, code).toBeLessThanOrEqual(2);
    }
    // Exactly the rows claimed by the dead worker were sent twice.
    expect(posts.length).toBe(ids.length + claimed.length);
  });
});
