import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { stableMessageId } from "../../src/notifiers/email-notifier.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { SMTP_AUTH_FAILED } from "../../src/notifiers/smtp-errors.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker } from "../../src/outbox/delivery-worker.js";
import { FixedClock } from "../../src/shared/clock.js";
import { startSmtpStandin, type SmtpStandin } from "../helpers/smtp-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { alert, captureLogger, digest, emailMsg, T0 } from "../helpers/outbox-fixtures.js";

const USER = "mailer";
const PASS = "hunter2-very-secret";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function rig(smtpOptions: { auth?: boolean } = {}) {
  const clock = new FixedClock(T0);
  const db = openDatabase(tempDbPath());
  const smtp: SmtpStandin = await startSmtpStandin(smtpOptions.auth ? { user: USER, pass: PASS } : {});
  const logs = captureLogger();
  const smtpUrl = smtpOptions.auth ? smtp.url(USER, PASS) : smtp.url();
  const notifiers = createNotifiers(
    { slackBotToken: undefined, slackApiUrl: "http://127.0.0.1:9/api/", smtpUrl, mailFrom: "Stockwatch <stockwatch@shop.test>" },
    { db, clock, logger: logs.logger, smtpTimeouts: { connectionMs: 1000, greetingMs: 300, socketMs: 2000 } },
  );
  const worker = createDeliveryWorker({
    db,
    clock,
    logger: logs.logger,
    notifiers,
    secrets: [PASS],
    random: () => 0.5,
    sleep: async (ms) => clock.advance(ms),
  });
  cleanups.push(
    () => void db.close(),
    () => smtp.close(),
    async () => {
      await worker.stop();
      await notifiers.email?.close?.();
    },
  );
  const outbox = createOutbox(db, clock);
  /** Runs the worker, then moves the clock to the row's next attempt. */
  const step = async (id: number) => {
    await worker.runUntilIdle();
    const next = outbox.get(id)?.nextAttemptAt;
    if (next) clock.set(Math.max(clock.now(), Date.parse(next)));
  };
  return { db, clock, smtp, logs, outbox, worker, step };
}

describe("delivery by email", () => {
  it("sends a mail with the right recipient, subject, both parts and a stable Message-ID", async () => {
    const r = await rig();
    const msg = emailMsg(alert("KAV-1"), { destination: { type: "email", to: ["boss@shop.test", "ops@shop.test"] } });
    const { id } = r.outbox.enqueue(msg);
    await r.worker.runUntilIdle();
    const [mail, ...more] = await r.smtp.waitForMails(1);
    expect(more).toHaveLength(0);
    expect(mail!.envelope.to).toEqual(["boss@shop.test", "ops@shop.test"]);
    expect(mail!.envelope.from).toBe("stockwatch@shop.test");
    expect(mail!.parsed.subject).toBe("[stockwatch] Sold out: KAV-1 Coffee KAV-1 (0 left, minimum 5)");
    expect(mail!.parsed.text).toContain("Quantity: 0 (minimum 5)");
    expect(mail!.parsed.html).toContain("<table>");
    expect(mail!.parsed.html).toContain("KAV-1");
    expect(mail!.parsed.messageId).toBe(stableMessageId({ id, key: msg.dedupeKey }, "shop.test"));
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("sends a digest as it was built", async () => {
    const r = await rig();
    r.outbox.enqueue(emailMsg(digest()));
    await r.worker.runUntilIdle();
    const [mail] = await r.smtp.waitForMails(1);
    expect(mail!.parsed.subject).toBe("Stock digest morning");
    expect(mail!.parsed.text).toContain("Low: 5");
    expect(mail!.parsed.html).toContain("<h1>Stock digest</h1>");
  });

  it("retries after 421 and delivers with the same Message-ID", async () => {
    const r = await rig();
    r.smtp.replyNext({ stage: "connect", code: 421, message: "too busy, try later" });
    const msg = emailMsg(alert("KAV-1"));
    const { id } = r.outbox.enqueue(msg);
    await r.step(id);
    const failed = r.outbox.get(id)!;
    expect(failed).toMatchObject({ status: "retrying", attempts: 1 });
    expect(failed.lastError).toContain("421");
    await r.step(id);
    const mails = await r.smtp.waitForMails(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.parsed.messageId).toBe(stableMessageId({ id, key: msg.dedupeKey }, "shop.test"));
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("retries a 451 after the data and delivers once", async () => {
    const r = await rig();
    r.smtp.replyNext({ stage: "data", code: 451, message: "local problem" });
    const { id } = r.outbox.enqueue(emailMsg(alert("KAV-1")));
    await r.step(id);
    expect(r.outbox.get(id)!.status).toBe("retrying");
    await r.step(id);
    expect(r.smtp.mails).toHaveLength(1);
    expect(r.outbox.get(id)!.status).toBe("sent");
  });

  it("marks a 550 dead with the server's reason", async () => {
    const r = await rig();
    r.smtp.replyNext({ stage: "rcpt", code: 550, message: "no such user here" });
    const { id } = r.outbox.enqueue(emailMsg(alert("KAV-1")));
    await r.step(id);
    r.clock.advance(86_400_000);
    await r.worker.runUntilIdle();
    const row = r.outbox.get(id)!;
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    expect(row.lastError).toContain("550");
    expect(row.lastError).toContain("no such user here");
    expect(r.smtp.mails).toHaveLength(0);
  });

  it("times out on a server that never greets, then retries and delivers", async () => {
    const r = await rig();
    r.smtp.neverGreet(true);
    const { id } = r.outbox.enqueue(emailMsg(alert("KAV-1")));
    await r.step(id);
    const row = r.outbox.get(id)!;
    expect(row).toMatchObject({ status: "retrying", attempts: 1 });
    expect(row.lastError).toContain("timed out waiting for the server greeting");
    r.smtp.neverGreet(false);
    await r.step(id);
    expect(r.smtp.mails).toHaveLength(1);
    expect(r.outbox.get(id)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("pauses email when authentication fails, says so once, and resumes when it works", async () => {
    const r = await rig({ auth: true });
    r.smtp.failAuth(true);
    const a = r.outbox.enqueue(emailMsg(alert("A"))).id;
    const b = r.outbox.enqueue(emailMsg(alert("B"), { channel: "office", destination: { type: "email", to: ["o@shop.test"] } })).id;
    await r.worker.runUntilIdle();
    for (const id of [a, b]) {
      expect(r.outbox.get(id)).toMatchObject({ status: "retrying", attempts: 0, lastError: SMTP_AUTH_FAILED });
    }
    expect(r.logs.lines.filter((l) => l.includes(SMTP_AUTH_FAILED))).toHaveLength(1);
    // While paused, nothing more is sent to the server.
    const connections = r.smtp.connections;
    const c = r.outbox.enqueue(emailMsg(alert("C"))).id;
    r.clock.advance(60_000);
    await r.worker.runUntilIdle();
    expect(r.smtp.connections).toBe(connections);
    expect(r.outbox.get(c)!.status).toBe("pending");

    r.smtp.failAuth(false);
    r.clock.advance(300_000);
    await r.worker.runUntilIdle();
    await r.smtp.waitForMails(3);
    for (const id of [a, b, c]) expect(r.outbox.get(id)!.status).toBe("sent");
    expect(r.logs.text()).toContain("resumed");
    expect(r.logs.text()).not.toContain(PASS);
  });
});
