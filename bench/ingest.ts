/**
 * `npm run bench:ingest`: the daemon's durable webhook ingest against a raw node:http baseline that
 * only verifies and parses, in one run, with the same load tool (autocannon in this process) and
 * unique signed bodies. Prints median requests/s of each, the ratio, p99 latency at 1,000 req/s,
 * and how long the daemon's pipeline needed after the load to work off what it had deferred.
 *
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 npm run bench:ingest
 *
 * Bodies look like a shop's: `stock:movement` names one of 3 warehouses, the beta stock events one
 * of 2,000 product codes, orders/invoices/customers a new code each. Every body is unique: each
 * (instance, eventCreated second) pair is sent once, all dated in the past (see webhook-load.ts).
 * Then bench/ingest-contention.ts (same `npm run bench:ingest`) measures webhooks while the daemon
 * is given pathological rules and while `stockwatch prune` deletes a million events.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { median } from "./stats.js";
import { EVENTS, KEY, load, startChild, stopChild } from "./webhook-load.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// Concurrent senders, one measurement per level: every request waits for a disk flush, so the
// daemon's throughput grows with the number of requests a flush can cover; the baseline's does not.
const CONNECTION_LEVELS = (process.env.BENCH_CONNECTIONS ?? "64,256").split(",").map(Number);


/**
 * ms until the daemon's pipeline has handled every stored event and no stock job is due — the
 * work its ingest pacer deferred while the load ran (null for the baseline, which has none).
 */
async function catchUpMs(dbPath: string | undefined): Promise<number | null> {
  if (!dbPath) return null;
  const db = new Database(dbPath, { readonly: true });
  const started = Date.now();
  try {
    for (;;) {
      const behind = db
        .prepare(
          `SELECT (SELECT max(id) FROM events) - coalesce((SELECT position FROM cursors WHERE name = 'event-rules'), 0)
                + (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at <= ?) AS n`,
        )
        .get(Date.now()) as { n: number };
      if (behind.n <= 0 || Date.now() - started > 120_000) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    db.close();
  }
}

async function measure(name: string, connections: number, start: () => Promise<{ child: ChildProcess; port: number; dbPath?: string }>) {
  const { child, port, dbPath } = await start();
  try {
    await load(port, 2, connections); // warm-up
    const result = await load(port, SECONDS, connections);
    const non2xx = result.non2xx + result.errors + result.timeouts;
    const rps = result.requests.total / SECONDS;
    const behind = await catchUpMs(dbPath);
    // The HTTP thread's commits never checkpoint; this shows the engine's checkpoints keep up.
    const wal = dbPath && existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size / 1e6 : null;
    console.log(
      `  ${name.padEnd(9)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx/errors ${non2xx}` +
        (behind === null ? "" : `  pipeline caught up ${(behind / 1000).toFixed(1)} s after the load, -wal file ${wal?.toFixed(0)} MB`),
    );
    return { rps, non2xx };
  } finally {
    await stopChild(child);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-"));
  const tsx = ["--import", "tsx"];
  const baseline = () => startChild(process.execPath, [...tsx, "bench/baseline-server.ts"], { SHOPTET_WEBHOOK_KEY: KEY });
  let dbN = 0;
  const daemon = async () => {
    const dbPath = join(dir, `bench-${++dbN}.db`);
    const started = await startChild(process.execPath, ["dist/main.js"], {
      SHOPTET_WEBHOOK_KEY: KEY,
      PORT: "0",
      HOST: "127.0.0.1",
      STOCKWATCH_DB: dbPath,
      STOCKWATCH_RULES: "config/rules.yaml",
      LOG_LEVEL: "info",
    });
    return { ...started, dbPath };
  };

  console.log(`ingest benchmark: ${ROUNDS} rounds × ${SECONDS} s per level, unique signed bodies, events ${EVENTS.join(", ")}`);
  const ratios: string[] = [];
  for (const connections of CONNECTION_LEVELS) {
    console.log(`${connections} connections`);
    const base: number[] = [];
    const ours: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(` round ${round}`);
      base.push((await measure("baseline", connections, baseline)).rps);
      ours.push((await measure("daemon", connections, daemon)).rps);
    }
    const b = median(base);
    const o = median(ours);
    console.log(`  median: baseline ${b.toFixed(0)} req/s, daemon ${o.toFixed(0)} req/s, ratio ${(o / b).toFixed(2)}×`);
    ratios.push(`${connections} connections: baseline ${b.toFixed(0)} req/s, daemon ${o.toFixed(0)} req/s, ratio ${(o / b).toFixed(2)}×`);
  }
  console.log("latency at a fixed 1,000 req/s (daemon, 16 connections):");
  const { child, port } = await daemon();
  let p99 = NaN;
  try {
    await load(port, 2, 16, 1000);
    const fixed = await load(port, SECONDS, 16, 1000);
    p99 = fixed.latency.p99;
    console.log(`  ${(fixed.requests.total / SECONDS).toFixed(0)} req/s sent, p50 ${fixed.latency.p50} ms, p99 ${p99} ms`);
  } finally {
    await stopChild(child);
  }
  console.log("");
  console.log("baseline = node:http verify + parse; daemon = verify, validate, durable group commit (medians):");
  for (const line of ratios) console.log(`  ${line}   (target ≥ 0.5×)`);
  console.log(`p99 at 1,000 req/s: ${p99} ms   (target ≤ 15 ms)`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
