import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { createDigestScheduler } from "../../src/digest/digest-scheduler.js";
import { createNotifiers } from "../../src/notifiers/notifier-registry.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { createDeliveryWorker } from "../../src/outbox/delivery-worker.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { startSmtpStandin } from "../helpers/smtp-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { loadDigestRules, nov, scriptDay } from "../fixtures/digest/scripted-day.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("digest by email, end to end", () => {
  it("delivers the scripted day's digest to a real SMTP server with both parts, once", async () => {
    const clock = new FixedClock(nov(26, "06:00"));
    const db = openDatabase(tempDbPath());
    scriptDay(db);
    const smtp = await startSmtpStandin();
    const logger = silentLogger();
    const notifiers = createNotifiers(
      { slackBotToken: undefined, slackApiUrl: "http://127.0.0.1:9/api/", smtpUrl: smtp.url(), mailFrom: "Stockwatch <stockwatch@shop.test>" },
      { db, clock, logger, smtpTimeouts: { connectionMs: 1000, greetingMs: 1000, socketMs: 2000 } },
    );
    const worker = createDeliveryWorker({ db, clock, logger, notifiers, secrets: [], random: () => 0.5, sleep: async (ms) => clock.advance(ms) });
    const outbox = createOutbox(db, clock);
    const rules = loadDigestRules();
    const weekdays = { timezone: rules.timezone, digests: rules.digests.filter((d) => d.name === "weekdays"), channel: (n: string) => rules.channel(n) };
    const scheduler = createDigestScheduler({ db, clock, logger, getRules: () => weekdays, enqueue: (m) => outbox.enqueue(m) });
    cleanups.push(
      () => void db.close(),
      () => smtp.close(),
      async () => {
        await scheduler.stop();
        await worker.stop();
        await notifiers.email?.close?.();
      },
    );

    await scheduler.runDue(nov(26, "06:00")); // first seen (Thursday)
    clock.set(nov(27, "07:00")); // Friday 07:00
    expect(await scheduler.runDue(nov(27, "07:00"))).toBe(1);
    await worker.runUntilIdle();
    const [mail, ...more] = await smtp.waitForMails(1);
    expect(more).toHaveLength(0);

    expect(mail!.envelope.to.sort()).toEqual(["manager@example.com", "owner@example.com"]);
    expect(mail!.parsed.subject).toBe("4 sold out, 1 low, 1 failed delivery — weekdays digest, 27 Nov");
    const text = mail!.parsed.text ?? "";
    const html = typeof mail!.parsed.html === "string" ? mail!.parsed.html : "";
    expect(text).toContain("SOLD OUT NOW: 4");
    expect(text).toMatch(/KAV-1 Colombia 250 g \(e-shop 222651\)\s+Thu 26 Nov 14:05\s+16 h 55 min/);
    expect(text).toMatch(/CAJ-7 Sencha 100 g \(e-shop 222651\)\s+3\s+10/);
    expect(text).toContain("ALERTS: 5 opened, 2 resolved");
    expect(html).toContain("Colombia 250 g");
    expect(html).toContain("Brazil Santos");
    expect(html).toContain("order:cancel");
    expect(html).not.toMatch(/<script|<img/i);
    expect(outbox.list({ status: "sent" }).filter((d) => d.kind === "digest")).toHaveLength(1);

    // Same slot again after the send: nothing queued, nothing mailed.
    expect(await scheduler.runDue(nov(27, "07:30"))).toBe(0);
    await worker.runUntilIdle();
    expect(smtp.mails).toHaveLength(1);
  });
});
