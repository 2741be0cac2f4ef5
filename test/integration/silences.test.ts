import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { SOLD_OUT_TO_SLACK } from "../helpers/rules-fixtures.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackStandin } from "../helpers/slack-standin.js";
import { tempDir, tempDbPath } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

const ESHOP = 222651;
const closers = closeAfterEach();

function io(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, stdout: () => out, stderr: () => err };
}

async function rig(rules: string, products: Record<string, number>) {
  const shoptet: ShoptetStandin = await startShoptetStandin({ eshopId: ESHOP });
  const slack: SlackStandin = await startSlackStandin({ token: "xoxb-test-token" });
  closers.push(() => shoptet.close(), () => slack.close());
  shoptet.addStock(1);
  for (const [code, quantity] of Object.entries(products)) {
    shoptet.addProduct({ guid: `g-${code}`, name: `Product ${code}`, variants: [{ code, minStockSupply: 5, amounts: { 1: quantity } }] });
  }
  const rulesPath = join(tempDir(), "rules.yaml");
  writeFileSync(rulesPath, rules);
  const dbPath = tempDbPath();
  const env = {
    STOCKWATCH_RULES: rulesPath,
    STOCKWATCH_DB: dbPath,
    SHOPTET_API_URL: shoptet.url,
    SHOPTET_API_TOKEN: shoptet.token,
    SLACK_BOT_TOKEN: "xoxb-test-token",
    SLACK_API_URL: slack.url,
  };
  const start = () => startTestApp(env, { dbPath, pipeline: { deliveryPollMs: 20, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } } });
  const cli = async (...args: string[]) => {
    const out = io();
    const code = await runCli(args, env, out);
    return { code, out: out.stdout(), err: out.stderr() };
  };
  return { shoptet, slack, env, start, cli };
}

let second = 0;
function movementWebhook(stockId: number) {
  second++;
  const at = new Date(Date.now() - 120_000 + second * 1000);
  return envelope("stock:movement", String(stockId), { eshopId: ESHOP, eventCreated: at.toISOString().replace(/\.\d{3}Z$/, "+0000") });
}

const json = async (url: string) => (await (await fetch(url)).json()) as any;
const posted = (slack: SlackStandin) => slack.ok("chat.postMessage").map((c) => String(c.params.text));

describe("silences", () => {
  it("records silenced alerts without sending them, survives a restart, and sends what still holds once when expired", async () => {
    const { shoptet, slack, start, cli } = await rig(SOLD_OUT_TO_SLACK, { "KAV-1": 3, "KAV-2": 3, "CAJ-1": 3 });
    let t = await start();

    const added = await cli("silence", "add", "--products", "KAV-*", "--for", "2d", "--reason", "stock-taking");
    expect(added.code, added.err).toBe(0);
    const id = Number(/silence (\d+) added/.exec(added.out)![1]);
    expect(added.out).toMatch(/until \d{4}-\d\d-\d\dT/);

    shoptet.move(1, "KAV-1", -3);
    shoptet.move(1, "KAV-2", -3);
    shoptet.move(1, "CAJ-1", -3);
    expect((await postWebhook(t.url, movementWebhook(1))).status).toBe(200);
    await waitFor("the CAJ-1 alert", () => posted(slack).some((text) => text.includes("CAJ-1")));
    await t.app.engine.runUntilIdle();

    // Every alert is recorded and visible; only the one no silence covers was sent.
    const open = (await json(`${t.url}/api/alerts?state=open`)).alerts as any[];
    expect(open.map((a) => [a.subject, a.silencedBy]).sort()).toEqual([
      ["CAJ-1", null],
      ["KAV-1", id],
      ["KAV-2", id],
    ]);
    expect(posted(slack).filter((text) => text.includes("KAV"))).toEqual([]);
    expect(slack.ok("chat.postMessage")).toHaveLength(1);

    // KAV-2 comes back within the silence: its alert resolves, and nothing is said about it.
    shoptet.move(1, "KAV-2", 20);
    expect((await postWebhook(t.url, movementWebhook(1))).status).toBe(200);
    await waitFor("KAV-2 resolved", async () => ((await json(`${t.url}/api/alerts?state=resolved`)).alerts as any[]).some((a) => a.subject === "KAV-2"));
    await t.app.engine.runUntilIdle();
    expect(slack.calls.filter((c) => c.method !== "chat.postMessage" || !String(c.params.text).includes("CAJ-1"))).toEqual([]);

    // A restart between adding and expiring: the silence is a row, so it still holds.
    await t.app.stop();
    t = await start();
    await t.app.engine.runUntilIdle();
    expect(slack.ok("chat.postMessage")).toHaveLength(1);
    const listed = await cli("silence", "list");
    expect(listed.code).toBe(0);
    expect(listed.out).toContain("KAV-*");
    expect(listed.out).toContain("stock-taking");

    // Expired while KAV-1 is still sold out: exactly one message for it, none for KAV-2.
    const expired = await cli("silence", "expire", String(id));
    expect(expired.code, expired.err).toBe(0);
    await t.app.engine.runUntilIdle();
    const kav1 = await waitFor("the KAV-1 alert", () => {
      const calls = slack.ok("chat.postMessage").filter((c) => String(c.params.text).includes("KAV-1"));
      return calls.length > 0 && calls;
    });
    await t.app.engine.runUntilIdle();
    await t.app.engine.runUntilIdle();
    expect(slack.ok("chat.postMessage").filter((c) => String(c.params.text).includes("KAV-1"))).toHaveLength(1);
    expect(kav1[0]!.params.thread_ts).toBeUndefined();
    expect(posted(slack).filter((text) => text.includes("KAV-2"))).toEqual([]);
    expect(slack.ok("chat.update")).toEqual([]);
    expect((await cli("silence", "list")).out).toContain("no active silences");

    // From now on KAV-1 speaks as usual: its restock resolves the message that was sent.
    shoptet.move(1, "KAV-1", 20);
    expect((await postWebhook(t.url, movementWebhook(1))).status).toBe(200);
    const update = await waitFor("the KAV-1 resolve", () => slack.ok("chat.update")[0]);
    expect(update.ts).toBe(kav1[0]!.ts);
  });

  it("holds back event rules' messages too (the subject is the event instance), and sends nothing when it ends", async () => {
    const rules = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: order-cancelled
    when: { event: "order:cancel" }
    notify: [warehouse]
    group: 0s
`;
    const { slack, start, cli } = await rig(rules, {});
    const t = await start();
    const added = await cli("silence", "add", "--products", "2026*", "--for", "1h", "--reason", "test orders");
    expect(added.code, added.err).toBe(0);
    const id = Number(/silence (\d+) added/.exec(added.out)![1]);
    const cancel = (instance: string) => envelope("order:cancel", instance, { eshopId: ESHOP, eventCreated: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "+0000") });
    expect((await postWebhook(t.url, cancel("2026000001"))).status).toBe(200);
    expect((await postWebhook(t.url, cancel("TEST-7"))).status).toBe(200);
    await waitFor("the TEST-7 message", () => posted(slack).some((text) => text.includes("TEST-7")));
    await t.app.engine.runUntilIdle();
    const alerts = (await json(`${t.url}/api/alerts`)).alerts as any[];
    expect(alerts.map((a) => [a.subject, a.silencedBy]).sort()).toEqual([
      ["2026000001", id],
      ["TEST-7", null],
    ]);
    expect((await cli("silence", "expire", String(id))).code).toBe(0);
    await t.app.engine.runUntilIdle();
    expect(posted(slack).filter((text) => text.includes("2026000001"))).toEqual([]);
    expect(slack.ok("chat.postMessage")).toHaveLength(1);
  });

  it("--rule limits the silence to that rule", async () => {
    const rules = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    group: 0s
  - name: coffee-low
    when: { products: ["KAV-1"], quantity: { below: 20 } }
    notify: [warehouse]
    group: 0s
`;
    const { shoptet, slack, start, cli } = await rig(rules, { "KAV-1": 30, "KAV-2": 3 });
    const t = await start();
    const added = await cli("silence", "add", "--products", "KAV-*", "--rule", "sold-out", "--for", "1h", "--reason", "recount");
    expect(added.code, added.err).toBe(0);
    expect(added.err).toBe("");
    shoptet.move(1, "KAV-1", -20);
    shoptet.move(1, "KAV-2", -3);
    expect((await postWebhook(t.url, movementWebhook(1))).status).toBe(200);
    await waitFor("the coffee-low alert", () => posted(slack).some((text) => text.includes("KAV-1")));
    await t.app.engine.runUntilIdle();
    const open = (await json(`${t.url}/api/alerts?state=open`)).alerts as any[];
    expect(open.map((a) => [a.rule, a.subject, a.silencedBy === null]).sort()).toEqual([
      ["coffee-low", "KAV-1", true],
      ["sold-out", "KAV-2", false],
    ]);
    expect(posted(slack).filter((text) => text.includes("KAV-2"))).toEqual([]);
  });
});
