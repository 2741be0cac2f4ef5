/**
 * End-to-end alert latency: from a signed `stock:soldOut` webhook POSTed to the daemon to the Slack
 * stand-in receiving `chat.postMessage`, with the rule's group window at 0, over 200 products.
 * The daemon runs in this process (createApp) on loopback with its real workers; no API token, so
 * the beta event is trusted as Shoptet sent it (no Shoptet call in the path).
 *
 * Slack allows one message per second per channel and stockwatch paces to that, so the products
 * are spread over 10 channels and sent 110 ms apart: every message is measured unpaced.
 *
 *   npx tsx bench/deliver-e2e.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.js";
import { readSettings } from "../src/config/env.js";
import { signBody } from "../src/receiver/verify-signature.js";
import { silentLogger } from "../src/shared/logger.js";
import { startSlackStandin } from "../test/helpers/slack-standin.js";
import { percentile as pct } from "./stats.js";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 200);
const CHANNELS = 10;
const GAP_MS = 110;
const KEY = "bench-key";


async function main() {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-e2e-"));
  const slack = await startSlackStandin({ token: "xoxb-bench" });
  const channels = Array.from({ length: CHANNELS }, (_, i) => `c${i}`);
  const rules = [
    "timezone: Europe/Prague",
    "channels:",
    ...channels.map((c) => `  ${c}: { type: slack, channel: "#${c}" }`),
    "rules:",
    ...channels.map((c, i) => `  - { name: sold-out-${i}, when: { level: soldOut, products: ["P${i}-*"] }, notify: [${c}], group: 0s }`),
  ].join("\n");
  writeFileSync(join(dir, "rules.yaml"), `${rules}\n`);
  const settings = readSettings({
    HOST: "127.0.0.1",
    PORT: "0",
    STOCKWATCH_DB: join(dir, "bench.db"),
    STOCKWATCH_RULES: join(dir, "rules.yaml"),
    SHOPTET_WEBHOOK_KEY: KEY,
    SLACK_BOT_TOKEN: "xoxb-bench",
    SLACK_API_URL: slack.url,
  });
  const app = createApp({ settings, logger: silentLogger(), engineThread: new URL("./engine-thread-source.mjs", import.meta.url) });
  await app.start();

  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const seen = new Set<string>();
  const poll = setInterval(() => {
    for (const call of slack.ok("chat.postMessage")) {
      const code = /P\d+-\d+/.exec(String(call.params.text))?.[0];
      if (!code || seen.has(code) || !sentAt.has(code)) continue;
      seen.add(code);
      latencies.push(call.at - sentAt.get(code)!);
    }
  }, 1);

  for (let i = 0; i < PRODUCTS; i++) {
    const code = `P${i % CHANNELS}-${i}`;
    const body = JSON.stringify({ eshopId: 222651, event: "stock:soldOut", eventCreated: "2026-11-27T10:00:00+0100", eventInstance: code });
    sentAt.set(code, Date.now());
    const res = await fetch(`${app.url}/webhooks/shoptet`, {
      method: "POST",
      headers: { "content-type": "application/json", "shoptet-webhook-signature": signBody(KEY, body) },
      body,
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await new Promise((r) => setTimeout(r, GAP_MS));
  }
  const deadline = Date.now() + 10_000;
  while (latencies.length < PRODUCTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(poll);
  await app.stop();
  await slack.close();
  rmSync(dir, { recursive: true, force: true });

  console.log(`webhook → Slack chat.postMessage, ${latencies.length}/${PRODUCTS} products, group window 0:`);
  console.log(`  median ${pct(latencies, 0.5)} ms, p90 ${pct(latencies, 0.9)} ms, p99 ${pct(latencies, 0.99)} ms, max ${Math.max(...latencies)} ms   (target: median ≤ 100 ms)`);
  if (latencies.length < PRODUCTS) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
