import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker, type DeliveryEvent } from "../../src/outbox/delivery-worker.js";
import { systemClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { startSlackStandin } from "../helpers/slack-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, slackMsg } from "../helpers/outbox-fixtures.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("the running delivery worker", () => {
  it("wakes on enqueue, sends, and on stop waits for the send in flight", async () => {
    const db = openDatabase(tempDbPath());
    const slack = await startSlackStandin({ token: "xoxb-t" });
    cleanups.push(() => void db.close(), () => slack.close());
    const events: DeliveryEvent[] = [];
    const worker = createDeliveryWorker({
      db,
      clock: systemClock,
      logger: silentLogger(),
      notifiers: createNotifiers(
        { slackBotToken: "xoxb-t", slackApiUrl: slack.url, smtpUrl: undefined, mailFrom: "x@y.z" },
        { db, clock: systemClock, logger: silentLogger() },
      ),
      secrets: [],
      pollMs: 60_000, // only a wake can explain a prompt send
      onEvent: (e) => events.push(e),
    });
    const outbox = createOutbox(db, systemClock, { onEnqueued: worker.wake });
    worker.start();

    const sent = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (events.some((e) => e.type === "delivery:sent")) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    const first = outbox.enqueue({ ...slackMsg(alert("A")), notBefore: Date.now() }).id;
    await sent;
    expect(outbox.get(first)!.status).toBe("sent");

    // A slow send is in flight when stop is called: stop returns only after it is recorded.
    slack.failNext("chat.postMessage", { delayMs: 300 });
    const second = outbox.enqueue({ ...slackMsg(alert("B"), { slackChannel: "#other" }), notBefore: Date.now() }).id;
    while (slack.calls.length < 2) await new Promise((r) => setTimeout(r, 5));
    await worker.stop();
    expect(outbox.get(second)!.status).toBe("sent");
    expect(events.filter((e) => e.type === "delivery:sent")).toHaveLength(2);
  });
});
