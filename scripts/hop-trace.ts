/**
 * Which functions of src/ run for ONE stock:movement webhook that sells a product out, from the
 * request to Slack's chat.postMessage (and the row marked sent). Engine inline (one isolate, so
 * the inspector sees everything); polls made long so nothing else runs meanwhile.
 * Run from the repository root: npx tsx scripts/hop-trace.ts (see docs/architecture.md, "How we count hops").
 */
import { Session } from "node:inspector/promises";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
const root = process.cwd();
const { createApp } = await import(join(root, "src/app.ts"));
const { readSettings } = await import(join(root, "src/config/env.ts"));
const { silentLogger } = await import(join(root, "src/shared/logger.ts"));
const { startShoptetStandin } = await import(join(root, "test/helpers/shoptet-standin.ts"));
const { startSlackStandin } = await import(join(root, "test/helpers/slack-standin.ts"));
const { SOLD_OUT_TO_SLACK } = await import(join(root, "test/helpers/rules-fixtures.ts"));
const { envelope, postWebhook, TEST_KEY } = await import(join(root, "test/helpers/webhooks.ts"));
const { waitFor } = await import(join(root, "test/helpers/wait-for.ts"));

const ESHOP = 222651;
const shoptet = await startShoptetStandin({ eshopId: ESHOP });
const slack = await startSlackStandin({ token: "xoxb-test-token" });
shoptet.addStock(1);
shoptet.addProduct({ guid: "g-kav", name: "Colombia 250 g", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 10 } }] });
const dir = mkdtempSync(join(tmpdir(), "hoptrace-"));
writeFileSync(join(dir, "rules.yaml"), SOLD_OUT_TO_SLACK);
const settings = readSettings({
  SHOPTET_WEBHOOK_KEY: TEST_KEY, HOST: "127.0.0.1", PORT: "0", STOCKWATCH_DB: join(dir, "db.sqlite"),
  STOCKWATCH_RULES: join(dir, "rules.yaml"), SHOPTET_API_URL: shoptet.url, SHOPTET_API_TOKEN: shoptet.token,
  SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_API_URL: slack.url,
});
const app = createApp({
  settings, logger: silentLogger(), engine: "inline",
  pipeline: { deliveryPollMs: 600_000, tickMs: 3_600_000, stock: { movementReadGapMs: 0, pollIntervalMs: 600_000 } },
});
await app.start();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let second = 0;
const movement = () => { second++; const at = new Date(Date.now() - 60_000 + second * 1000); return envelope("stock:movement", "1", { eshopId: ESHOP, eventCreated: at.toISOString().replace(/\.\d{3}Z$/, "+0000") }); };

// Warm-up: first contact with the warehouse and the product (cursor, details), no alert.
shoptet.move(1, "KAV-1", -1);
await postWebhook(app.url, movement());
await waitFor("the warm-up job", () => (app.db.prepare("SELECT count(*) n FROM jobs WHERE status='done'").get() as any).n >= 1 || undefined);
await sleep(1500);

const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: true });
const ran = async () => {
  const { result } = await session.post("Profiler.takePreciseCoverage");
  const out = new Map<string, Set<string>>();
  for (const script of result) {
    const m = /\/src\/(.+\.ts)$/.exec(script.url);
    if (!m) continue;
    for (const f of script.functions) if (f.ranges[0]!.count > 0) {
      if (!out.has(m[1]!)) out.set(m[1]!, new Set());
      out.get(m[1]!)!.add(f.functionName || "(anonymous)");
    }
  }
  return out;
};
await ran(); // reset
await sleep(300);
const idle = await ran();
shoptet.move(1, "KAV-1", -9);
const t0 = performance.now();
await postWebhook(app.url, movement());
await waitFor("the Slack post", () => slack.ok("chat.postMessage")[0]);
await waitFor("the row marked sent", () => (app.db.prepare("SELECT count(*) n FROM outbox WHERE status='sent'").get() as any).n >= 1 || undefined);
const ms = performance.now() - t0;
const path = await ran();
await app.stop(); await shoptet.close(); await slack.close();
rmSync(dir, { recursive: true, force: true });
const files = [...path.keys()].sort();
console.log(JSON.stringify({ ms: Math.round(ms), idleFiles: [...idle.keys()].sort(), files: Object.fromEntries(files.map((f) => [f, [...path.get(f)!].sort()])) }, null, 1));
console.error(`files whose code ran: ${files.length}; idle window: ${idle.size}`);
