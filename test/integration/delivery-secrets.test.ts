import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker } from "../../src/outbox/delivery-worker.js";
import { FixedClock } from "../../src/shared/clock.js";
import { startSlackStandin } from "../helpers/slack-standin.js";
import { startSmtpStandin } from "../helpers/smtp-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, captureLogger, emailMsg, slackMsg, T0 } from "../helpers/outbox-fixtures.js";

const TOKEN = "xoxb-4242-secret-bot-token";
const PASS = "pa55-w0rd-that-must-not-leak";
const USER = "mailer";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("secrets", () => {
  it("never reach a stored error or a log line, even when a server echoes them", async () => {
    const clock = new FixedClock(T0);
    const db = openDatabase(tempDbPath());
    const slack = await startSlackStandin({ token: TOKEN, now: () => clock.now() });
    const smtp = await startSmtpStandin({ user: USER, pass: PASS });
    const logs = captureLogger();
    const notifiers = createNotifiers(
      { slackBotToken: TOKEN, slackApiUrl: slack.url, smtpUrl: smtp.url(USER, PASS), mailFrom: "x@shop.test" },
      { db, clock, logger: logs.logger, slackTimeoutMs: 1000, smtpTimeouts: { connectionMs: 1000, greetingMs: 500, socketMs: 1000 } },
    );
    const worker = createDeliveryWorker({
      db,
      clock,
      logger: logs.logger,
      notifiers,
      secrets: [TOKEN, PASS],
      sleep: async (ms) => clock.advance(ms),
    });
    cleanups.push(
      () => void db.close(),
      () => slack.close(),
      () => smtp.close(),
      async () => {
        await worker.stop();
        await notifiers.email?.close?.();
      },
    );
    const outbox = createOutbox(db, clock);

    // Servers that quote the credentials back in their errors.
    slack.failNext("chat.postMessage", { error: `invalid_auth:${TOKEN}` });
    smtp.replyNext({ stage: "rcpt", code: 550, message: `user ${USER}:${PASS} may not send here` });
    const s = outbox.enqueue(slackMsg(alert("KAV-1"))).id;
    const e = outbox.enqueue(emailMsg(alert("KAV-2"))).id;
    await worker.runUntilIdle();
    // And an authentication failure.
    smtp.failAuth(true);
    const e2 = outbox.enqueue(emailMsg(alert("KAV-3"), { channel: "office" })).id;
    await worker.runUntilIdle();

    expect(outbox.get(s)!.status).toBe("dead");
    expect(outbox.get(s)!.lastError).toContain("invalid_auth");
    expect(outbox.get(e)!.status).toBe("dead");
    expect(outbox.get(e)!.lastError).toContain("[redacted]");
    expect(outbox.get(e2)!.status).toBe("retrying");

    const stored = JSON.stringify(db.prepare("SELECT * FROM outbox").all());
    const logged = logs.text();
    expect(logged).toContain("delivery is dead");
    expect(logged).toContain("SMTP authentication failed");
    expect(logged).not.toContain("cannot write the outbox");
    for (const secret of [TOKEN, PASS]) {
      expect(stored).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
  });
});
