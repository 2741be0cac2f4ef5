import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { readSettings } from "../../src/config/env.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { signSlackRequest } from "../../src/slack/verify-slack-request.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startShoptetStandin } from "../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackCall } from "../helpers/slack-standin.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";
import { envelope, postWebhook, TEST_KEY } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

const ESHOP = 222651;
const SECRET = "e3b0c44298fc1c149afbf4c8996fb924";
const TOKEN = "xoxb-test-token";
const HOUR = 3_600_000;
const closers = closeAfterEach();

const RULES = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    severity: critical
    group: 0s
    repeat: 1h
`;

/**
 * The whole daemon in-process (real HTTP, a real SQLite file, the Shoptet and Slack stand-ins),
 * with its engine on this thread so the test's clock drives reminders.
 */
async function rig(env: Record<string, string> = { SLACK_SIGNING_SECRET: SECRET }) {
  const clock = new FixedClock(Date.now());
  const shoptet = await startShoptetStandin({ eshopId: ESHOP });
  const slack = await startSlackStandin({ token: TOKEN });
  closers.push(() => shoptet.close(), () => slack.close());
  shoptet.addStock(1);
  shoptet.addProduct({ guid: "g-kav", name: "Colombia 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 3 } }] });
  const rulesPath = join(tempDir(), "rules.yaml");
  writeFileSync(rulesPath, RULES);
  const settings = readSettings({
    SHOPTET_WEBHOOK_KEY: TEST_KEY,
    HOST: "127.0.0.1",
    PORT: "0",
    STOCKWATCH_DB: tempDbPath(),
    STOCKWATCH_RULES: rulesPath,
    SHOPTET_API_URL: shoptet.url,
    SHOPTET_API_TOKEN: shoptet.token,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.url,
    ...env,
  });
  const app: App = createApp({
    settings,
    logger: silentLogger(),
    clock,
    engine: "inline",
    // Reminder rounds only when the test asks (runUntilIdle), at the test's time.
    pipeline: { deliveryPollMs: 20, tickMs: 24 * HOUR, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } },
  });
  closers.push(() => app.stop());
  await app.start();
  const url = app.url;
  let second = 0;
  const move = async (change: number) => {
    shoptet.move(1, "KAV-1", change);
    second++;
    const created = new Date(clock.now() - 60_000 + second * 1000).toISOString().replace(/\.\d{3}Z$/, "+0000");
    expect((await postWebhook(url, envelope("stock:movement", "1", { eshopId: ESHOP, eventCreated: created }))).status).toBe(200);
  };
  /** Top-level posts (not thread replies). */
  const posts = () => slack.ok("chat.postMessage").filter((c) => c.params.thread_ts === undefined);
  /** Reminders: thread replies also shown in the channel. */
  const reminders = () => slack.ok("chat.postMessage").filter((c) => c.params.thread_ts !== undefined && String(c.params.reply_broadcast) === "true");
  const updates = () => slack.ok("chat.update");
  const alerts = async (state = "open") => ((await (await fetch(`${url}/api/alerts?state=${state}`)).json()) as { alerts: any[] }).alerts;
  /** What the stored Slack message shows for the alert (the entries chat.update renders). */
  const entryOf = (ts: string) =>
    (JSON.parse((app.db.prepare("SELECT entries FROM slack_messages WHERE ts = ?").pluck().get(ts) as string) ?? "[]") as { body: any }[])[0]?.body;
  /** Waits until the outbox has sent everything (the stored Slack message is then current). */
  const delivered = () =>
    waitFor("the outbox to be sent", () => app.db.prepare("SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending', 'retrying')").pluck().get() === 0, { between: () => clock.advance(1_500) });
  let clickSeq = 0;
  /** A real block_actions body, form-encoded and signed as Slack signs it. */
  const click = async (
    post: SlackCall,
    actionId: string,
    options: { value?: string; user?: string; actionTs?: string; secret?: string; atMs?: number; raw?: string } = {},
  ) => {
    clickSeq++;
    const payload = {
      type: "block_actions",
      user: { id: options.user ?? "U123", username: options.user === "U999" ? "petr" : "jana", team_id: "T1" },
      api_app_id: "A1",
      container: { type: "message", message_ts: post.ts, channel_id: slack.channelId("#warehouse"), is_ephemeral: false },
      channel: { id: slack.channelId("#warehouse"), name: "warehouse" },
      message: { ts: post.ts, text: "…" },
      response_url: "https://hooks.slack.com/actions/T1/1/x",
      actions: [{ type: "button", action_id: actionId, block_id: "b", value: options.value ?? "", action_ts: options.actionTs ?? `${Math.floor(clock.now() / 1000)}.${String(clickSeq).padStart(6, "0")}` }],
    };
    const body = options.raw ?? `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const headers = signSlackRequest(options.secret ?? SECRET, body, Math.floor((options.atMs ?? clock.now()) / 1000));
    const res = await fetch(`${url}/slack/interactions`, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body });
    const json = (await res.json()) as any;
    return { status: res.status, json, body, headers };
  };
  /** Sells KAV-1 out and waits for its Slack message. */
  const sellOut = async () => {
    await move(-3);
    const post = await waitFor("the sold-out message", () => posts()[0]);
    await delivered();
    return post;
  };
  return { app, url, clock, slack, move, posts, reminders, updates, alerts, entryOf, click, sellOut, delivered };
}

describe("acting on alerts from Slack (POST /slack/interactions)", () => {
  it("Acknowledge: the message is updated with who, reminders stop, /api/alerts shows it, the resolve still arrives", async () => {
    const r = await rig();
    const post = await r.sellOut();
    expect(r.entryOf(post.ts!)).toMatchObject({ transition: "open", actions: true });
    expect(JSON.stringify(post.params.blocks)).toContain('"action_id":"stockwatch.ack"');

    const ackAt = r.clock.now();
    const answer = await r.click(post, "stockwatch.ack", { value: "ack" });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/^Acknowledged 1 alert/) });

    const update = await waitFor("the chat.update", () => r.updates()[0], { between: () => r.clock.advance(1_500) });
    await r.delivered();
    expect(update.ts).toBe(post.ts);
    expect(update.params.channel).toBe(r.slack.channelId("#warehouse"));
    expect(r.entryOf(post.ts!)).toMatchObject({ transition: "update", acknowledged: { by: "U123", at: ackAt }, actions: true });
    // The message now says who (a mention: Slack shows the person's name) and offers Undo.
    expect(JSON.stringify(update.params.blocks)).toContain("Acknowledged by <@U123>");
    expect(JSON.stringify(update.params.blocks)).toContain('"action_id":"stockwatch.unack"');
    // The thread reply under the updated message says what happened, not the alert's summary again
    // (which read as if the product had sold out once more).
    const replies = r.slack.ok("chat.postMessage").filter((c) => c.params.thread_ts === post.ts && String(c.params.reply_broadcast) !== "true");
    expect(replies.map((c) => String(c.params.text))).toEqual([expect.stringContaining("Acknowledged by <@U123>")]);

    const [alert] = await r.alerts();
    expect(alert).toMatchObject({ subject: "KAV-1", acknowledgedBy: "jana", acknowledgedById: "U123", acknowledgedAt: new Date(ackAt).toISOString(), snoozedUntil: null });
    expect(alert.actions).toEqual([{ action: "ack", userId: "U123", userName: "jana", value: "ack", at: new Date(ackAt).toISOString() }]);
    // The dashboard's open alerts say it too.
    const page = await (await fetch(`${r.url}/`)).text();
    expect(page).toMatch(/<code>KAV-1<\/code><br><small class="slack-state">acknowledged by jana \d+ min ago<\/small>/);

    // Hours later: no reminder (repeat is 1h).
    r.clock.advance(3 * HOUR);
    await r.app.engine.runUntilIdle();
    expect(r.reminders()).toHaveLength(0);
    expect((await r.alerts())[0].reminders).toBe(0);

    // The resolve still arrives, and still says who acknowledged.
    await r.move(20);
    await waitFor("the resolve update", () => r.updates()[1], { between: () => r.clock.advance(1_500) });
    await r.delivered();
    expect(r.updates()[1]!.ts).toBe(post.ts);
    expect(r.entryOf(post.ts!)).toMatchObject({ transition: "resolve", acknowledged: { by: "U123", at: ackAt } });
    expect(JSON.stringify(r.updates()[1]!.params.blocks)).toContain("Acknowledged by <@U123>");
    expect(r.entryOf(post.ts!).actions).toBeUndefined();
    expect((await r.alerts("resolved"))[0]).toMatchObject({ acknowledgedBy: "jana" });
    expect(r.posts()).toHaveLength(1);
  });

  it("Snooze 4h: no reminder before, one after; Undo clears acknowledgement and snooze", async () => {
    const r = await rig();
    const post = await r.sellOut();
    const snoozedAt = r.clock.now();
    const answer = await r.click(post, "stockwatch.snooze", { value: "4h" });
    expect(answer.status).toBe(200);
    expect(answer.json.text).toMatch(/^Snoozed 1 alert until .* UTC/);
    await waitFor("the chat.update", () => r.updates()[0], { between: () => r.clock.advance(1_500) });
    await r.delivered();
    expect(r.entryOf(post.ts!)).toMatchObject({ snoozedUntil: snoozedAt + 4 * HOUR, acknowledged: null });
    expect((await r.alerts())[0]).toMatchObject({ snoozedUntil: new Date(snoozedAt + 4 * HOUR).toISOString(), acknowledgedBy: null });

    r.clock.advance(4 * HOUR - 60_000);
    await r.app.engine.runUntilIdle();
    expect(r.reminders()).toHaveLength(0);

    r.clock.advance(2 * 60_000);
    await r.app.engine.runUntilIdle();
    await waitFor("the reminder after the snooze", () => r.reminders().length === 1, { between: () => r.clock.advance(1_500) });

    // Acknowledge, then Undo: reminders come again.
    await r.click(post, "stockwatch.ack");
    await r.click(post, "stockwatch.snooze", { value: "1d" });
    const undo = await r.click(post, "stockwatch.unack");
    expect(undo.json.text).toMatch(/^Undone for 1 alert/);
    expect((await r.alerts())[0]).toMatchObject({ acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: null });
    expect((await r.alerts())[0].actions.map((a: any) => a.action)).toEqual(["snooze", "ack", "snooze", "unack"]);
    await waitFor("the updates of the three clicks", () => r.updates().length === 4, { between: () => r.clock.advance(1_500) });
    await r.delivered();
    expect(r.entryOf(post.ts!)).toMatchObject({ acknowledged: null, snoozedUntil: null });
    r.clock.advance(HOUR + 1);
    await r.app.engine.runUntilIdle();
    await waitFor("a reminder after Undo", () => r.reminders().length === 2, { between: () => r.clock.advance(1_500) });
  });

  it("a replayed request changes nothing twice", async () => {
    const r = await rig();
    const post = await r.sellOut();
    const ackAt = r.clock.now();
    const first = await r.click(post, "stockwatch.ack", { actionTs: "1764925200.000001" });
    expect(first.json.text).toMatch(/^Acknowledged/);
    await waitFor("the chat.update", () => r.updates().length === 1, { between: () => r.clock.advance(1_500) });
    r.clock.advance(60_000);
    // The same click again (a retry, or a replay within the 5 minutes): same action key.
    const again = await r.click(post, "stockwatch.ack", { actionTs: "1764925200.000001" });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/^Already done/) });
    await r.app.engine.runUntilIdle();
    expect(r.updates()).toHaveLength(1);
    const [alert] = await r.alerts();
    expect(alert.actions).toHaveLength(1);
    expect(alert.acknowledgedAt).toBe(new Date(ackAt).toISOString());
  });

  it("an action on a resolved alert answers with an ephemeral explanation and changes nothing", async () => {
    const r = await rig();
    const post = await r.sellOut();
    await r.move(20);
    await waitFor("the resolve update", () => r.updates()[0], { between: () => r.clock.advance(1_500) });
    const answer = await r.click(post, "stockwatch.ack");
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/^Already resolved \(alert #\d+\)/) });
    const [alert] = await r.alerts("resolved");
    expect(alert).toMatchObject({ acknowledgedBy: null, actions: [] });
    await r.app.engine.runUntilIdle();
    expect(r.updates()).toHaveLength(1);

    // A message stockwatch does not know (another app's, or pruned): explained too.
    const unknown = await r.click({ ...post, ts: "1600000000.000001" }, "stockwatch.ack");
    expect(unknown.status).toBe(200);
    expect(unknown.json.text).toMatch(/knows no alert in this message/);
  });

  it("refuses wrong signatures, stale timestamps, bodies that are not block_actions, and huge bodies", async () => {
    const r = await rig();
    const post = await r.sellOut();
    const wrong = await r.click(post, "stockwatch.ack", { secret: "not-the-signing-secret" });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatch(/does not match.*SLACK_SIGNING_SECRET/);
    expect(JSON.stringify(wrong.json)).not.toContain(SECRET);

    const stale = await r.click(post, "stockwatch.ack", { atMs: r.clock.now() - 6 * 60_000 });
    expect(stale.status).toBe(401);
    expect(stale.json.error).toMatch(/more than 5 minutes off/);

    const unsigned = await fetch(`${r.url}/slack/interactions`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "payload=%7B%7D" });
    expect(unsigned.status).toBe(401);

    const notActions = await r.click(post, "stockwatch.ack", { raw: `payload=${encodeURIComponent(JSON.stringify({ type: "view_submission", user: { id: "U1" } }))}` });
    expect(notActions.status).toBe(400);
    expect(notActions.json.error).toMatch(/only block_actions/);

    const huge = await r.click(post, "stockwatch.ack", { raw: `payload=${"x".repeat(70_000)}` });
    expect(huge.status).toBe(413);

    // Nothing of it changed the alert.
    const [alert] = await r.alerts();
    expect(alert).toMatchObject({ acknowledgedBy: null, snoozedUntil: null, actions: [] });
    await r.app.engine.runUntilIdle();
    expect(r.updates()).toHaveLength(0);
  });

  it("without SLACK_SIGNING_SECRET: messages carry no buttons and the route answers 503 saying what to set", async () => {
    const r = await rig({});
    const post = await r.sellOut();
    expect(r.entryOf(post.ts!).actions).toBeUndefined();
    const answer = await r.click(post, "stockwatch.ack");
    expect(answer.status).toBe(503);
    expect(answer.json.error).toMatch(/set SLACK_SIGNING_SECRET/);
  });
});
