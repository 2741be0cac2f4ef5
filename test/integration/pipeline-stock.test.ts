import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { SOLD_OUT_TO_SLACK } from "../helpers/rules-fixtures.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

const ESHOP = 222651;
const closers = closeAfterEach();

const RULES = SOLD_OUT_TO_SLACK;

async function rig() {
  const shoptet: ShoptetStandin = await startShoptetStandin({ eshopId: ESHOP });
  const slack: SlackStandin = await startSlackStandin({ token: "xoxb-test-token" });
  closers.push(() => shoptet.close(), () => slack.close());
  shoptet.addStock(1);
  shoptet.addProduct({ guid: "g-kav", name: "Colombia 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 3 } }] });
  const dir = tempDir();
  const rulesPath = join(dir, "rules.yaml");
  writeFileSync(rulesPath, RULES);
  const t = await startTestApp(
    {
      STOCKWATCH_RULES: rulesPath,
      SHOPTET_API_URL: shoptet.url,
      SHOPTET_API_TOKEN: shoptet.token,
      SLACK_BOT_TOKEN: "xoxb-test-token",
      SLACK_API_URL: slack.url,
    },
    { pipeline: { deliveryPollMs: 20, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } } },
  );
  return { ...t, shoptet, slack };
}

let second = 0;
function movementWebhook(stockId: number) {
  second++;
  const at = new Date(Date.now() - 60_000 + second * 1000);
  const created = at.toISOString().replace(/\.\d{3}Z$/, "+0000");
  return envelope("stock:movement", String(stockId), { eshopId: ESHOP, eventCreated: created });
}

describe("from a stock movement webhook to Slack and back", () => {
  it("sells out → one Slack alert with the product; restock → the same message is updated and a thread reply posted", async () => {
    const { url, shoptet, slack } = await rig();
    shoptet.move(1, "KAV-1", -3);
    expect((await postWebhook(url, movementWebhook(1))).status).toBe(200);

    const post = await waitFor("the alert", () => slack.ok("chat.postMessage")[0]);
    expect(post.params.channel).toBe("#warehouse");
    expect(String(post.params.text)).toContain("KAV-1");
    expect(JSON.stringify(post.params.blocks)).toContain("Colombia 250 g");

    const products = ((await (await fetch(`${url}/api/products?level=soldOut`)).json()) as any).products;
    expect(products).toMatchObject([{ eshopId: ESHOP, code: "KAV-1", name: "Colombia 250 g", quantity: 0, minStockSupply: 5, level: "soldOut" }]);
    const open = ((await (await fetch(`${url}/api/alerts?state=open`)).json()) as any).alerts;
    expect(open).toMatchObject([{ rule: "sold-out", subject: "KAV-1", state: "open" }]);

    shoptet.move(1, "KAV-1", 20);
    expect((await postWebhook(url, movementWebhook(1))).status).toBe(200);
    const update = await waitFor("the resolve update", () => slack.ok("chat.update")[0]);
    expect(update.ts).toBe(post.ts);
    await waitFor("the thread reply", () => slack.ok("chat.postMessage").find((c) => c.params.thread_ts === post.ts));
    const resolved = ((await (await fetch(`${url}/api/alerts?state=resolved`)).json()) as any).alerts;
    expect(resolved).toMatchObject([{ rule: "sold-out", subject: "KAV-1", state: "resolved" }]);
    expect(((await (await fetch(`${url}/api/products?level=ok`)).json()) as any).products[0]).toMatchObject({ code: "KAV-1", quantity: 20 });
    // exactly one new message for the incident
    expect(slack.ok("chat.postMessage").filter((c) => c.params.thread_ts === undefined)).toHaveLength(1);
  });

  it("answers 400 for a bad product level filter", async () => {
    const { url } = await rig();
    expect((await fetch(`${url}/api/products?level=gone`)).status).toBe(400);
  });
});
