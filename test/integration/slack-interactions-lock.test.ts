import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { signSlackRequest } from "../../src/slack/verify-slack-request.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { SOLD_OUT_TO_SLACK } from "../helpers/rules-fixtures.js";
import { startShoptetStandin } from "../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackCall } from "../helpers/slack-standin.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

const ESHOP = 222651;
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const closers = closeAfterEach();

/** The daemon as it runs (engine thread, system clock) with a product sold out and its Slack message posted. */
async function soldOutDaemon() {
  const shoptet = await startShoptetStandin({ eshopId: ESHOP });
  const slack = await startSlackStandin({ token: "xoxb-test-token" });
  closers.push(() => shoptet.close(), () => slack.close());
  shoptet.addStock(1);
  shoptet.addProduct({ guid: "g-kav", name: "Colombia 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 3 } }] });
  const rulesPath = join(tempDir(), "rules.yaml");
  writeFileSync(rulesPath, SOLD_OUT_TO_SLACK);
  const t = await startTestApp(
    {
      STOCKWATCH_RULES: rulesPath,
      SHOPTET_API_URL: shoptet.url,
      SHOPTET_API_TOKEN: shoptet.token,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_API_URL: slack.url,
      SLACK_SIGNING_SECRET: SECRET,
    },
    { pipeline: { deliveryPollMs: 20, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } } },
  );
  shoptet.move(1, "KAV-1", -3);
  const created = new Date(Date.now() - 30_000).toISOString().replace(/\.\d{3}Z$/, "+0000");
  expect((await postWebhook(t.url, envelope("stock:movement", "1", { eshopId: ESHOP, eventCreated: created }))).status).toBe(200);
  const post = await waitFor("the sold-out message", () => slack.ok("chat.postMessage")[0]);
  const db = openDatabase(t.dbPath);
  closers.push(() => db.close());
  await waitFor("the message to be recorded", () => db.prepare("SELECT count(*) FROM slack_messages").pluck().get() === 1);
  return { ...t, slack, post, db };
}

function clickAck(url: string, post: SlackCall, channelId: string): Promise<Response> {
  const payload = {
    type: "block_actions",
    user: { id: "U123", username: "jana" },
    container: { type: "message", message_ts: post.ts, channel_id: channelId },
    actions: [{ type: "button", action_id: "stockwatch.ack", value: "ack", action_ts: `${Math.floor(Date.now() / 1000)}.000001` }],
  };
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const headers = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000));
  return fetch(`${url}/slack/interactions`, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body });
}

describe("a Slack click while another process holds the database's write lock", () => {
  it("waits for the lock between turns of the event loop: the HTTP thread keeps answering, the click is done once the lock is free", async () => {
    const { url, slack, post, db } = await soldOutDaemon();
    // Another process (a CLI command, say) takes the write lock.
    db.exec("BEGIN IMMEDIATE");
    let held = true;
    const click = clickAck(url, post, slack.channelId("#warehouse"));
    // Time for the click to reach its transaction and find the lock taken (not a pass/fail timing).
    await new Promise((r) => setTimeout(r, 300));
    // The HTTP thread is not asleep in SQLite's busy handler: it answers while the click waits.
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(held).toBe(true);
    db.exec("COMMIT");
    held = false;
    const res = await click;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { text: string }).text).toMatch(/^Acknowledged 1 alert/);
    expect(db.prepare("SELECT acknowledged_by FROM alerts").pluck().get()).toBe("jana");
  });

  it("held past the wait (2 s): the user is told to click again, and nothing is changed", async () => {
    const { url, slack, post, db } = await soldOutDaemon();
    db.exec("BEGIN IMMEDIATE");
    try {
      const res = await clickAck(url, post, slack.channelId("#warehouse"));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/busy.*click again/) });
    } finally {
      db.exec("COMMIT");
    }
    expect(db.prepare("SELECT count(*) FROM alert_actions").pluck().get()).toBe(0);
    expect(db.prepare("SELECT acknowledged_by FROM alerts").pluck().get()).toBeNull();
  });
});
