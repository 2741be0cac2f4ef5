import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "./harness/db-check.js";
import { adminGet, ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn, storedText } from "./harness/secrets.js";
import { notification, shoptetTime, ShoptetSender } from "./harness/sender.js";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const RULES = `
timezone: Europe/Prague
channels:
  s1: { type: slack, channel: "#faults-1" }
  s2: { type: slack, channel: "#faults-2" }
  s3: { type: slack, channel: "#faults-3" }
  gone: { type: slack, channel: "#gone" }
  mail: { type: email, to: [ops@example.com] }
rules:
  - { name: to-s1, when: { event: "order:update" }, notify: [s1], group: 0s }
  - { name: to-s2, when: { event: "order:paid" }, notify: [s2], group: 0s }
  - { name: to-s3, when: { event: "invoice:create" }, notify: [s3], group: 0s }
  - { name: to-gone, when: { event: "invoice:update" }, notify: [gone], group: 0s }
  - { name: to-mail, when: { event: "order:cancel" }, notify: [mail], group: 0s }
`;

interface Delivery {
  id: number;
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  summary: string;
}

describe("Slack and SMTP misbehave (against the whole daemon)", () => {
  it(
    "Slack 429/500/ok:false and SMTP 421/451/no greeting are retried until sent; channel_not_found and 550 end dead with a clear error",
    async () => {
      rig = await startRig({ rules: RULES });
      const { slack, smtp, daemon } = rig;
      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      const send = async (event: string, instance: string) => {
        const n = notification(instance, { eshopId: ESHOP, event, eventCreated: shoptetTime(Date.now()), eventInstance: instance }, SECRETS.webhookKey);
        expect(await sender.deliver(n)).toBe(true);
      };
      const deliveries = async () => (await adminGet<{ deliveries: Delivery[] }>(daemon, "/api/deliveries?limit=1000")).deliveries;

      // Slack: the first three posts fail three different ways, each on its own channel (lane).
      slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 }, { status: 500 }, { error: "internal_error" });
      slack.missingChannel("#gone");
      await send("order:update", "SLACK-1");
      await send("order:paid", "SLACK-2");
      await send("invoice:create", "SLACK-3");
      await waitFor("three failed Slack calls", () => slack.calls.filter((c) => c.answer !== "ok").length >= 3, 10_000);
      await send("invoice:update", "SLACK-GONE");

      // SMTP, one lane (so in order), pooled connections. First a server that accepts the connection
      // and never greets: the attempt times out (10 s) and is retried.
      smtp.neverGreet(true);
      await send("order:cancel", "MAIL-SILENT");
      await waitFor("the silent connection", () => smtp.connections === 1, 10_000);
      smtp.neverGreet(false);
      await waitFor("the greeting timeout", async () => (await deliveries()).some((d) => d.channel === "mail" && d.status === "retrying"), { timeoutMs: 20_000, everyMs: 200 });
      // Then 421 on connect, 451 on RCPT, 550 on RCPT.
      smtp.replyNext({ stage: "connect", code: 421, message: "4.3.2 try again later" }, { stage: "rcpt", code: 451, message: "4.7.1 greylisted" }, { stage: "rcpt", code: 550, message: "5.1.1 no such user" });
      await send("order:cancel", "MAIL-421");
      await send("order:cancel", "MAIL-451");
      await send("order:cancel", "MAIL-550");

      const final = await waitFor(
        "every delivery to reach sent or dead",
        async () => {
          const list = await deliveries();
          return list.length === 8 && list.every((d) => d.status === "sent" || d.status === "dead") ? list : undefined;
        }, { timeoutMs: 60_000, everyMs: 250 }
      );
      const by = (text: string) => final.find((d) => d.summary.includes(text))!;
      for (const ok of ["SLACK-1", "SLACK-2", "SLACK-3", "MAIL-421", "MAIL-451", "MAIL-SILENT"]) {
        expect(by(ok), ok).toMatchObject({ status: "sent", attempts: 2, lastError: null });
      }
      expect(by("SLACK-GONE")).toMatchObject({ status: "dead", attempts: 1 });
      expect(by("SLACK-GONE").lastError).toMatch(/channel_not_found/);
      expect(by("MAIL-550")).toMatchObject({ status: "dead", attempts: 1 });
      expect(by("MAIL-550").lastError).toMatch(/550/);

      const failures = slack.calls.filter((c) => c.answer !== "ok").map((c) => c.answer).sort();
      expect(failures).toEqual(["429", "500", "channel_not_found", "internal_error"]);
      for (const instance of ["SLACK-1", "SLACK-2", "SLACK-3"]) {
        expect(slack.ok("chat.postMessage").filter((c) => String(c.params.text).includes(instance))).toHaveLength(1);
      }
      const mails = smtp.mails.map((m) => `${m.parsed.subject} ${m.parsed.text}`);
      for (const instance of ["MAIL-421", "MAIL-451", "MAIL-SILENT"]) expect(mails.filter((m) => m.includes(instance))).toHaveLength(1);
      expect(mails.some((m) => m.includes("MAIL-550"))).toBe(false);
      sender.close();

      expect(await daemon.stop()).toBe(0);
      expect(secretsIn(daemon.text())).toEqual([]);
      expect(secretsIn(storedText(rig.dbPath))).toEqual([]);
    },
    120_000,
  );

  it(
    "a wrong Slack token and a wrong SMTP password are refused with an error that names the setting, and neither value is logged or stored",
    async () => {
      const wrongToken = "xoxb-2222-wrongreliab-9d1c";
      const wrongPass = "wrongsmtppw0reliab7e2";
      rig = await startRig({
        rules: RULES,
        env: ({ smtp }) => ({ SLACK_BOT_TOKEN: wrongToken, SMTP_URL: smtp.url(SECRETS.smtpUser, wrongPass) }),
      });
      const { daemon } = rig;
      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      for (const [event, instance] of [["order:update", "AUTH-SLACK"], ["order:cancel", "AUTH-MAIL"]]) {
        const n = notification(instance!, { eshopId: ESHOP, event: event!, eventCreated: shoptetTime(Date.now()), eventInstance: instance! }, SECRETS.webhookKey);
        expect(await sender.deliver(n)).toBe(true);
      }
      sender.close();
      const list = await waitFor(
        "both deliveries to fail",
        async () => {
          const d = (await adminGet<{ deliveries: Delivery[] }>(daemon, "/api/deliveries")).deliveries;
          return d.length === 2 && d.every((x) => x.lastError) ? d : undefined;
        }, { timeoutMs: 15_000, everyMs: 200 }
      );
      const slackRow = list.find((d) => d.channel === "s1")!;
      const mailRow = list.find((d) => d.channel === "mail")!;
      expect(slackRow).toMatchObject({ status: "dead" });
      expect(slackRow.lastError).toMatch(/invalid_auth.*SLACK_BOT_TOKEN/);
      // Authentication failures pause email instead of burning the attempts.
      expect(mailRow.status).toBe("retrying");
      expect(mailRow.lastError).toMatch(/SMTP authentication failed.*SMTP_URL/);
      await daemon.waitForLog((l) => /email deliveries are paused/.test(l.text), 5_000, { past: true });
      expect(await daemon.stop()).toBe(0);
      const everything = `${daemon.text()}\n${storedText(rig.dbPath)}`;
      expect(everything).not.toContain(wrongToken);
      expect(everything).not.toContain(wrongPass);
      expect(secretsIn(everything)).toEqual([]);
    },
    60_000,
  );
});
