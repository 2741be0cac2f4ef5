import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startSlackStandin } from "../helpers/slack-standin.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startTestApp } from "../helpers/test-app.js";
import { waitFor } from "../helpers/wait-for.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

const closers = closeAfterEach();

interface Scrape {
  samples: Map<string, number>;
  types: Map<string, string>;
}

/**
 * Parses Prometheus text exposition into samples and `# TYPE`s; throws on a line that is not valid.
 * prom-client writes a NaN as `Nan` (the event-loop lag before its first sample), which Prometheus reads.
 */
function parseProm(text: string): Scrape {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) {
      if (line.startsWith("# TYPE")) {
        const m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
        expect(m, line).toBeTruthy();
        types.set(m![1]!, m![2]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|Nan|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return { samples, types };
}

async function scrape(url: string): Promise<Scrape> {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parseProm(await res.text());
}

const RULES = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: any-invoice
    when: { event: "invoice:*" }
    notify: [warehouse]
    group: 0s
digests:
  - name: morning
    schedule: "0 7 * * 1-5"
    notify: [warehouse]
`;

describe("GET /metrics", () => {
  it("is valid Prometheus text and its counters move with traffic", async () => {
    const { url } = await startTestApp();
    const before = await scrape(url);
    expect(before.samples.has("stockwatch_up")).toBe(false);
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    expect(before.samples.get(`stockwatch_build_info{version="${version}",node="${process.version}"}`)).toBe(1);
    await postWebhook(url, envelope("stock:movement", "1"));
    const dup = envelope("order:create", "5");
    await postWebhook(url, dup);
    await postWebhook(url, dup);
    await postWebhook(url, envelope("order:create", "6"), { signature: "0".repeat(40) });
    const after = (await scrape(url)).samples;
    expect(after.get('stockwatch_webhooks_total{event="stock:movement",outcome="stored"}')).toBe(1);
    expect(after.get('stockwatch_webhooks_total{event="order:create",outcome="stored"}')).toBe(1);
    expect(after.get('stockwatch_webhooks_total{event="order:create",outcome="duplicate"}')).toBe(1);
    expect(after.get('stockwatch_webhook_rejections_total{reason="signature_mismatch"}')).toBe(1);
    expect(after.get("stockwatch_ingest_duration_seconds_count")).toBe(3);
    // one movement-read job exists (no API token: it fails and waits for a retry, but it is counted)
    const jobs = [...after.entries()].filter(([k]) => k.startsWith('stockwatch_jobs{kind="movement-read"'));
    expect(jobs.reduce((n, [, v]) => n + v, 0)).toBe(1);
    expect(after.has("stockwatch_shoptet_requests_total")).toBe(true);
  });

  it("counts as counters (…_total), and Node's process metrics keep their standard names", async () => {
    const { url } = await startTestApp();
    const { samples, types } = await scrape(url);
    for (const name of [
      "stockwatch_shoptet_requests_total",
      "stockwatch_shoptet_retries_total",
      "stockwatch_shoptet_rate_limited_total",
      "stockwatch_shoptet_failures_total",
      "stockwatch_write_lock_holds_total",
      "stockwatch_write_lock_holds_over_budget_total",
      "stockwatch_webhooks_total",
      "stockwatch_recovered_events_total",
    ]) {
      expect(types.get(name), name).toBe("counter");
    }
    for (const name of ["stockwatch_shoptet_api_calls", "stockwatch_write_lock_holds", "stockwatch_write_lock_holds_over_budget", "stockwatch_up"]) {
      expect(types.has(name), name).toBe(false);
    }
    // every counter's name ends in _total (prom-client exposes the name it was given)
    for (const [name, type] of types) if (type === "counter") expect(name).toMatch(/_total$/);
    expect(types.get("process_cpu_seconds_total")).toBe("counter");
    expect(types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    expect(samples.get("process_cpu_seconds_total")).toBeGreaterThan(0);
    expect(samples.has("nodejs_heap_size_used_bytes")).toBe(true);
    expect([...types.keys()].filter((n) => n.startsWith("stockwatch_process_") || n.startsWith("stockwatch_nodejs_"))).toEqual([]);
    expect(types.get("stockwatch_delivery_latency_seconds")).toBe("histogram");
    expect(types.get("stockwatch_digest_last_success_timestamp_seconds")).toBe("gauge");
    expect(types.get("stockwatch_build_info")).toBe("gauge");
  });

  it("observes each delivery's latency once, and the time of each digest's last successful run", async () => {
    const dir = tempDir();
    const rulesPath = join(dir, "rules.yaml");
    writeFileSync(rulesPath, RULES);
    const slack = await startSlackStandin({ token: "xoxb-test-token" });
    closers.push(() => slack.close());
    const env = { STOCKWATCH_RULES: rulesPath, SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_API_URL: slack.url };
    const { url, dbPath } = await startTestApp(env, { pipeline: { deliveryPollMs: 50 } });
    const count = 'stockwatch_delivery_latency_seconds_count{channel="warehouse"}';
    const digestAt = 'stockwatch_digest_last_success_timestamp_seconds{digest="morning"}';
    const first = (await scrape(url)).samples;
    expect(first.get(count) ?? 0).toBe(0);
    expect(first.has(digestAt)).toBe(false);

    expect((await postWebhook(url, envelope("invoice:create", "INV-1"))).status).toBe(200);
    await waitFor("the alert posted to Slack", () => slack.ok("chat.postMessage").length === 1);
    const one = await waitFor("one delivery observed", async () => {
      const s = (await scrape(url)).samples;
      return s.get(count) === 1 && s;
    });
    expect(one.get('stockwatch_delivery_latency_seconds_bucket{le="+Inf",channel="warehouse"}')).toBe(1);
    expect(one.get('stockwatch_delivery_latency_seconds_sum{channel="warehouse"}')).toBeLessThan(10);
    // a later scrape does not observe the same row again
    expect((await scrape(url)).samples.get(count)).toBe(1);

    const sentFrom = Date.now();
    const out = { write: () => true };
    expect(await runCli(["digest", "send", "morning"], { ...env, STOCKWATCH_DB: dbPath }, { out, err: out })).toBe(0);
    await waitFor("the digest posted to Slack", () => slack.ok("chat.postMessage").length === 2);
    const two = await waitFor("two deliveries observed", async () => {
      const s = (await scrape(url)).samples;
      return s.get(count) === 2 && s;
    });
    const at = two.get(digestAt)!;
    expect(at * 1000).toBeGreaterThanOrEqual(sentFrom - 1);
    expect(at * 1000).toBeLessThanOrEqual(Date.now());
  });
});
