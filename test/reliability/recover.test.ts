import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.js";
import { formatShoptetTime } from "../../src/shoptet/shoptet-time.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { postWebhook, type Envelope } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * Issue 14, section 1: the daemon is down longer than Shoptet retries, Shoptet's log marks the
 * notifications failed, the daemon starts and gets them back — stored once, stock right, alerts
 * sent once — and nothing is stored or sent twice by a second pass or by the same notifications
 * arriving as webhooks after all.
 */

const ESHOP = 222651;
const NOTIFICATIONS = "GET /api/webhooks/notifications";
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
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [warehouse]
    group: 0s
  - name: sold-out-news
    when: { event: stock:soldOut }
    notify: [warehouse]
    group: 0s
`;

const settle = () => new Promise((r) => setTimeout(r, 1500));

async function rig() {
  const shoptet: ShoptetStandin = await startShoptetStandin({ eshopId: ESHOP });
  const slack: SlackStandin = await startSlackStandin({ token: "xoxb-test-token" });
  closers.push(() => shoptet.close(), () => slack.close());
  shoptet.addStock(1);
  shoptet.addProduct({ guid: "g-1", name: "Colombia 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 3 } }] });
  shoptet.addProduct({ guid: "g-2", name: "Kenya 250 g", variants: [{ code: "KAV-2", minStockSupply: 2, amounts: { 1: 0 } }] });
  shoptet.addProduct({ guid: "g-3", name: "Brazil 1 kg", variants: [{ code: "KAV-3", amounts: { 1: 40 } }] });
  const rulesPath = join(tempDir(), "rules.yaml");
  writeFileSync(rulesPath, RULES);
  const dbPath = tempDbPath();
  const env = {
    STOCKWATCH_RULES: rulesPath,
    SHOPTET_API_URL: shoptet.url,
    SHOPTET_API_TOKEN: shoptet.token,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_API_URL: slack.url,
  };
  const start = () => startTestApp(env, { dbPath, pipeline: { deliveryPollMs: 20, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } } });
  return { shoptet, slack, dbPath, env, start };
}

/** Whole seconds, `secondsAgo` before now: the log's times and the stored ones then match exactly. */
const ago = (secondsAgo: number) => formatShoptetTime(Math.floor(Date.now() / 1000 - secondsAgo) * 1000);

const topLevelPosts = (slack: SlackStandin) => slack.ok("chat.postMessage").filter((c) => c.params.thread_ts === undefined);

async function allEvents(url: string): Promise<{ event: string; eventInstance: string; eventCreated: string; source: string }[]> {
  return ((await (await fetch(`${url}/api/events?limit=1000`)).json()) as any).events;
}

describe("recovering webhooks Shoptet gave up on", () => {
  it("200 notifications failed while the daemon was down: all stored once at start, stock right, alerts sent once; a second pass and late webhooks add nothing", async () => {
    const { shoptet, slack, start } = await rig();

    // The daemon runs for a while: a movement webhook makes warehouse 1 and the e-shop known.
    let app = await start();
    shoptet.move(1, "KAV-3", -1);
    const live: Envelope = { eshopId: ESHOP, event: "stock:movement", eventCreated: ago(3600), eventInstance: "1" };
    expect((await postWebhook(app.url, live)).status).toBe(200);
    await waitFor("KAV-3 read", async () => ((await (await fetch(`${app.url}/api/products`)).json()) as any).products.find((p: any) => p.code === "KAV-3"));
    await app.app.stop();

    // Down for 50 minutes: stock moves, and Shoptet gives up on 200 notifications.
    shoptet.move(1, "KAV-1", -3); // sold out
    shoptet.move(1, "KAV-3", 10);
    const failed: Envelope[] = [];
    let second = 3000;
    const add = (event: string, instance: string) => failed.push({ eshopId: ESHOP, event, eventInstance: instance, eventCreated: ago(second--) });
    for (let i = 0; i < 60; i++) add("stock:movement", "1");
    for (let i = 0; i < 4; i++) add("stock:inStock", "KAV-2");
    for (let i = 0; i < 6; i++) add("stock:soldOut", "KAV-2");
    for (let i = 0; i < 5; i++) add("order:cancel", `2026${String(i).padStart(6, "0")}`);
    for (let i = 0; i < 125; i++) add("order:create", `2026${String(100 + i).padStart(6, "0")}`);
    expect(failed).toHaveLength(200);
    for (const e of failed) shoptet.addNotification(e, { status: "failed" });
    // Not to be recovered: delivered ones, and one still queued.
    shoptet.addNotification({ ...live }, { status: "success" });
    shoptet.addNotification({ eshopId: ESHOP, event: "order:create", eventInstance: "2026999998", eventCreated: ago(600) }, { status: "success" });
    shoptet.addNotification({ eshopId: ESHOP, event: "order:create", eventInstance: "2026999999", eventCreated: ago(5) }, { status: "new", active: true });

    app = await start();
    const stored = await waitFor("200 recovered events", async () => {
      const list = (await allEvents(app.url)).filter((e) => e.source === "recovered");
      return list.length >= 200 && list;
    });
    expect(stored).toHaveLength(200);
    const key = (e: { event: string; eventInstance: string; eventCreated: string }) => `${e.event} ${e.eventInstance} ${e.eventCreated}`;
    expect(new Set(stored.map(key))).toEqual(new Set(failed.map(key)));
    expect((await allEvents(app.url)).filter((e) => e.source === "webhook").map(key)).toEqual([key(live)]);

    // Stock as Shoptet has it, and one alert per sold-out product (2), one per cancelled order (5),
    // one for the sold-out news (the newest KAV-2 soldOut; its five older ones are stale).
    await waitFor("stock", async () => {
      const products = ((await (await fetch(`${app.url}/api/products`)).json()) as any).products as any[];
      const by = Object.fromEntries(products.map((p) => [p.code, [p.quantity, p.level]]));
      return by["KAV-1"]?.[1] === "soldOut" && by["KAV-2"]?.[1] === "soldOut" && by["KAV-3"]?.[0] === 49 && by;
    });
    await waitFor("8 alerts", () => topLevelPosts(slack).length >= 8);
    await settle();
    const texts = topLevelPosts(slack).map((c) => String(c.params.text));
    expect(texts).toHaveLength(8);
    expect(texts.filter((t) => t.includes("KAV-1"))).toHaveLength(1);
    expect(texts.filter((t) => t.includes("KAV-2"))).toHaveLength(2); // level alert + the newest soldOut event
    expect(texts.filter((t) => t.startsWith("sold-out-news:"))).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect(texts.filter((t) => t.includes(`2026${String(i).padStart(6, "0")}`))).toHaveLength(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('stockwatch_recovered_events_total{event="order:create"} 125');
    expect(metrics).toContain('stockwatch_recovered_events_total{event="stock:movement"} 60');

    // Shoptet's own last retry gets through after all, for some of them: duplicates.
    for (const e of failed.slice(55, 80)) {
      const res = await postWebhook(app.url, e);
      expect(res.status).toBe(200);
      expect(res.json.duplicate).toBe(true);
    }
    // A second pass (a restart): every notification is read again, none stored again.
    const asked = shoptet.count(NOTIFICATIONS);
    await app.app.stop();
    app = await start();
    await waitFor("the second pass", () => shoptet.count(NOTIFICATIONS) >= asked + 2);
    await settle();
    expect(await allEvents(app.url)).toHaveLength(201);
    expect(topLevelPosts(slack)).toHaveLength(8);
    const products = ((await (await fetch(`${app.url}/api/products`)).json()) as any).products as any[];
    expect(Object.fromEntries(products.map((p) => [p.code, p.level]))).toEqual({ "KAV-1": "soldOut", "KAV-2": "soldOut", "KAV-3": "ok" });
  }, 120_000);

  it("a recovered older stock:soldOut after a newer one was alerted live sends nothing again (CLI while the daemon runs)", async () => {
    const { shoptet, slack, start, env, dbPath } = await rig();
    shoptet.setAmount(1, "KAV-1", 0);
    const app = await start();
    // Live: KAV-1 sold out at T2 → the level alert and the event rule's message.
    const newer: Envelope = { eshopId: ESHOP, event: "stock:soldOut", eventCreated: ago(600), eventInstance: "KAV-1" };
    expect((await postWebhook(app.url, newer)).status).toBe(200);
    await waitFor("2 alerts", () => topLevelPosts(slack).length >= 2);
    await settle();
    expect(topLevelPosts(slack)).toHaveLength(2);

    // The log: an OLDER soldOut of KAV-1 that never got through (stale), and one of KAV-3 (news).
    shoptet.addNotification({ eshopId: ESHOP, event: "stock:soldOut", eventCreated: ago(900), eventInstance: "KAV-1" }, { status: "failed" });
    shoptet.addNotification({ eshopId: ESHOP, event: "stock:soldOut", eventCreated: ago(800), eventInstance: "KAV-3" }, { status: "failed" });
    let out = "";
    const io: CliIo = { out: { write: (t: string) => (out += t) }, err: { write: () => true } };
    expect(await runCli(["recover", "--since", "1h"], { ...env, STOCKWATCH_DB: dbPath }, io)).toBe(0);
    expect(out).toMatch(/^recovered 2 of 2 notifications for e-shop 222651 \(0 already stored\)/);

    // The daemon picks the CLI's events up: KAV-3's news is sent; KAV-1's stale one is not.
    await waitFor("KAV-3's message", () => topLevelPosts(slack).find((c) => String(c.params.text).includes("KAV-3")));
    await settle();
    const texts = topLevelPosts(slack).map((c) => String(c.params.text));
    expect(texts.filter((t) => t.includes("KAV-1"))).toHaveLength(2);
    expect(texts.filter((t) => t.includes("KAV-3"))).toHaveLength(1);
    expect((await allEvents(app.url)).map((e) => [e.eventInstance, e.source])).toEqual([
      ["KAV-3", "recovered"],
      ["KAV-1", "recovered"],
      ["KAV-1", "webhook"],
    ]);
  }, 60_000);
});
