import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

/** Parses Prometheus text exposition into samples; throws on a line that is not valid. */
function parseProm(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) {
      if (line.startsWith("# TYPE")) expect(line).toMatch(/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    samples.set(m[1]!, Number(m[2]));
  }
  return samples;
}

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`);
  expect(res.headers.get("content-type")).toContain("text/plain");
  return parseProm(await res.text());
}

describe("GET /metrics", () => {
  it("is valid Prometheus text and its counters move with traffic", async () => {
    const { url } = await startTestApp();
    const before = await scrape(url);
    expect(before.get("stockwatch_up")).toBe(1);
    await postWebhook(url, envelope("stock:movement", "1"));
    const dup = envelope("order:create", "5");
    await postWebhook(url, dup);
    await postWebhook(url, dup);
    await postWebhook(url, envelope("order:create", "6"), { signature: "0".repeat(40) });
    const after = await scrape(url);
    expect(after.get('stockwatch_webhooks_total{event="stock:movement",outcome="stored"}')).toBe(1);
    expect(after.get('stockwatch_webhooks_total{event="order:create",outcome="stored"}')).toBe(1);
    expect(after.get('stockwatch_webhooks_total{event="order:create",outcome="duplicate"}')).toBe(1);
    expect(after.get('stockwatch_webhook_rejections_total{reason="signature_mismatch"}')).toBe(1);
    expect(after.get("stockwatch_ingest_duration_seconds_count")).toBe(3);
    // one movement-read job exists (no API token: it fails and waits for a retry, but it is counted)
    const jobs = [...after.entries()].filter(([k]) => k.startsWith('stockwatch_jobs{kind="movement-read"'));
    expect(jobs.reduce((n, [, v]) => n + v, 0)).toBe(1);
    expect(after.has('stockwatch_shoptet_api_calls{outcome="requests"}')).toBe(true);
  });
});
