import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { startSmtpStandin, type SmtpStandin } from "../helpers/smtp-standin.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

const closers = closeAfterEach();

const RULES = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
  managers: { type: email, to: [manager@example.com] }
rules:
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [managers]
    group: 0s
  - name: any-invoice
    when: { event: "invoice:*" }
    notify: [warehouse]
    group: 0s
`;

async function rig() {
  const dir = tempDir();
  const rulesPath = join(dir, "rules.yaml");
  writeFileSync(rulesPath, RULES);
  const smtp: SmtpStandin = await startSmtpStandin();
  const slack: SlackStandin = await startSlackStandin({ token: "xoxb-test-token" });
  closers.push(() => smtp.close(), () => slack.close());
  const t = await startTestApp(
    { STOCKWATCH_RULES: rulesPath, SMTP_URL: smtp.url(), SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_API_URL: slack.url, MAIL_FROM: "stockwatch@shop.test" },
    { pipeline: { deliveryPollMs: 50 } },
  );
  return { ...t, smtp, slack, rulesPath };
}

describe("from a signed webhook to a delivered message", () => {
  it("an order:cancel webhook becomes one email to the managers, visible in /api/deliveries and /api/alerts", async () => {
    const { url, smtp } = await rig();
    const body = envelope("order:cancel", "2018000057");
    expect((await postWebhook(url, body)).status).toBe(200);
    expect((await postWebhook(url, body)).json.duplicate).toBe(true);
    const [mail] = await smtp.waitForMails(1, 10_000);
    expect(mail!.envelope.to).toEqual(["manager@example.com"]);
    expect(`${mail!.parsed.subject} ${mail!.parsed.text}`).toContain("2018000057");
    expect(mail!.parsed.html).toBeTruthy();
    const deliveries = (await (await fetch(`${url}/api/deliveries?status=sent`)).json()) as any;
    expect(deliveries.deliveries).toHaveLength(1);
    expect(deliveries.deliveries[0]).toMatchObject({ channel: "managers", status: "sent", attempts: 1 });
    const alerts = (await (await fetch(`${url}/api/alerts`)).json()) as any;
    expect(alerts.alerts[0]).toMatchObject({ rule: "order-cancelled", subject: "2018000057", eshopId: 222651 });
    // the duplicate webhook did not produce a second mail
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.mails).toHaveLength(1);
  });

  it("a glob event rule posts to Slack with the event in text and blocks", async () => {
    const { url, slack } = await rig();
    expect((await postWebhook(url, envelope("invoice:create", "INV-77"))).status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (slack.ok("chat.postMessage").length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const [post] = slack.ok("chat.postMessage");
    expect(post!.params.channel).toBe("#warehouse");
    expect(String(post!.params.text)).toContain("INV-77");
    expect(JSON.stringify(post!.params.blocks)).toContain("INV-77");
  });

  it("answers 400 for a bad deliveries or alerts filter", async () => {
    const { url } = await rig();
    expect((await fetch(`${url}/api/deliveries?status=lost`)).status).toBe(400);
    expect((await fetch(`${url}/api/alerts?state=maybe`)).status).toBe(400);
  });
});
