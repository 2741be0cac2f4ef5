import { Agent } from "node:http";
import { inspectDb, unfinished, waitFor, type DbReport } from "./db-check.js";
import type { Rig } from "./rig.js";
import { SECRETS } from "./secrets.js";
import { postRaw, type Notification, type OutcomeCounts } from "./sender.js";
import { seeded, Workload } from "./workload.js";

export interface LoadOptions {
  seconds: number;
  /** Webhooks per second, open loop: sent on schedule whether or not earlier ones were answered. */
  rate: number;
  seed?: number;
  /** How long the job backlog and the outbox may take to drain afterwards. */
  drainTimeoutMs?: number;
  progress?: (line: string) => void;
}

export interface LoadResult {
  seconds: number;
  rate: number;
  /** Webhooks sent, warm-up included; every one must be acknowledged. */
  sent: number;
  acknowledged: number;
  /** Requests re-sent because a kept-alive socket had just been closed by the server as idle. */
  staleSocketResends: number;
  outcomes: OutcomeCounts;
  /** Client-side latency of the 200 answers, ms. */
  p50: number;
  p99: number;
  max: number;
  /** The daemon's own measure (request start to committed answer): the histogram bucket holding the 99th percentile, ms. */
  daemonP99AtMostMs: number;
  /** The daemon's RSS after warm-up and at the end of the traffic, and its peak, MB. */
  rssStartMb: number;
  rssEndMb: number;
  rssPeakMb: number;
  /** Pending jobs right after the traffic stopped, and how long until nothing was left to do. */
  backlogAtEnd: number;
  drainMs: number;
  /** Shoptet API requests the whole run cost. */
  apiRequests: number;
  report: DbReport;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Cumulative bucket counts of the daemon's ingest latency histogram (Prometheus text). */
async function ingestBuckets(baseUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^stockwatch_ingest_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)) out.set(m[1]!, Number(m[2]));
  return out;
}

/** The smallest bucket bound (ms) holding `p` % of the requests counted between two scrapes. */
function bucketPercentile(before: Map<string, number>, after: Map<string, number>, p: number): number {
  const total = (after.get("+Inf") ?? 0) - (before.get("+Inf") ?? 0);
  for (const [le, n] of after) {
    if ((n - (before.get(le) ?? 0)) >= (p / 100) * total) return le === "+Inf" ? Infinity : Number(le) * 1000;
  }
  return NaN;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Load: mixed webhooks (stock movements and beta events, orders, invoices, cancellations that
 * become emails, sell-outs that become Slack alerts) at a fixed rate for a while, against a
 * daemon whose Shoptet API stand-in is slow; then waits for the job backlog and the outbox to
 * drain. The daemon must already be started.
 */
export async function loadRun(rig: Rig, options: LoadOptions): Promise<LoadResult> {
  const say = options.progress ?? (() => undefined);
  const workload = new Workload(rig.shoptet, {
    key: SECRETS.webhookKey,
    random: seeded(options.seed ?? 1),
    prefix: "load",
    cancelEvery: 500,
    sellOutEvery: Math.max(1000, Math.floor((options.rate * options.seconds) / 8)),
    stockShare: 0.35,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const outcomes: OutcomeCounts = {};
  const latencies: number[] = [];
  const acked: Notification[] = [];
  const inFlight = new Set<Promise<void>>();
  const base = rig.daemon.url;

  let fired = 0;
  let staleSockets = 0;
  const fire = (n: Notification) => {
    fired++;
    const send = () => postRaw(base, n.body, { headers: { "shoptet-webhook-signature": n.signature }, agent, timeoutMs: 4000 });
    const p = send()
      .then((o) => {
        // A kept-alive socket the server closed as idle just as this request went out: re-send at
        // once, as HTTP clients do (Node's documented pattern); counted, not hidden.
        if (o.kind === "error" && o.reusedSocket && (o.code === "ECONNRESET" || o.code === "EPIPE")) {
          staleSockets++;
          return send();
        }
        return o;
      })
      .then((o) => {
        const label = o.kind === "answer" ? String(o.status) : o.code;
        outcomes[label] = (outcomes[label] ?? 0) + 1;
        if (o.kind === "answer" && o.status === 200) {
          latencies.push(o.ms);
          n.acked = JSON.parse(o.body) as { id: number; duplicate: boolean };
          acked.push(n);
        }
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  // Warm-up: a second at a tenth of the rate, not measured.
  for (let i = 0; i < Math.max(10, options.rate / 10); i++) {
    fire(workload.next());
    await sleep(10);
  }
  await Promise.all(inFlight);
  latencies.length = 0;
  const rssStart = rig.daemon.memory()?.rss ?? NaN;
  const apiBefore = rig.shoptet.requests.length;
  const bucketsBefore = await ingestBuckets(base);

  const started = performance.now();
  const endAt = started + options.seconds * 1000;
  let sent = 0;
  let lastReport = started;
  while (performance.now() < endAt) {
    const due = Math.floor(((performance.now() - started) / 1000) * options.rate);
    while (sent < due) {
      fire(workload.next());
      sent++;
    }
    if (performance.now() - lastReport >= 5000) {
      lastReport = performance.now();
      say(`${Math.round((lastReport - started) / 1000)} s: ${sent} sent, ${inFlight.size} in flight, RSS ${mb(rig.daemon.memory()?.rss ?? NaN)} MB`);
    }
    await sleep(2);
  }
  await Promise.all(inFlight);
  const memory = rig.daemon.memory();
  const bucketsAfter = await ingestBuckets(base);
  const backlogAtEnd = inspectDb(rig.dbPath).jobs.pending ?? 0;
  say(`traffic done: ${sent} sent; ${backlogAtEnd} jobs pending; draining`);

  const drainStart = Date.now();
  await waitFor(
    "the job backlog and the outbox to drain",
    () => {
      const r = inspectDb(rig.dbPath);
      return unfinished(r) === 0 && r.feedPosition === r.maxEventId;
    },
    { timeoutMs: options.drainTimeoutMs ?? 120_000, everyMs: 250 },
  );
  const drainMs = Date.now() - drainStart;
  agent.destroy();
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    seconds: options.seconds,
    rate: options.rate,
    sent: fired,
    staleSocketResends: staleSockets,
    acknowledged: acked.length,
    outcomes,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    daemonP99AtMostMs: bucketPercentile(bucketsBefore, bucketsAfter, 99),
    rssStartMb: mb(rssStart),
    rssEndMb: mb(memory?.rss ?? NaN),
    rssPeakMb: mb(memory?.peak ?? NaN),
    backlogAtEnd,
    drainMs,
    apiRequests: rig.shoptet.requests.length - apiBefore,
    report: inspectDb(rig.dbPath, acked),
  };
}
