/**
 * `npm run bench:ingest`: the daemon's durable webhook ingest against a raw node:http baseline that
 * only verifies and parses, in one run, with the same load tool (autocannon in this process) and
 * unique signed bodies. Prints median requests/s of each, the ratio, and p99 latency at 1,000 req/s.
 *
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=64 npm run bench:ingest
 */
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signBody } from "../src/receiver/verify-signature.js";

const KEY = "bench-key-8a5e881b19ad6cc0bc98658";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
// BENCH_EVENTS=order:create,invoice:create measures the receiver alone; the default mix also keeps the stock worker busy.
const EVENTS = (process.env.BENCH_EVENTS ?? "stock:movement,order:create,stock:soldOut,invoice:create,customer:update").split(",");

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function startChild(command: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const plain = /listening (\d+)/.exec(buffer);
      const pino = /listening on [^:]+:(\d+)/.exec(buffer);
      const match = plain ?? pino;
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code} before listening`)));
  });
  child.stdout!.resume();
  return { child, port };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

let sequence = 0;
function load(port: number, seconds: number, overallRate?: number): Promise<autocannon.Result> {
  const run = `${process.pid}-${Date.now()}`;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections: overallRate ? 16 : CONNECTIONS,
        duration: seconds,
        ...(overallRate ? { overallRate } : {}),
        requests: [
          {
            method: "POST",
            path: "/webhooks/shoptet",
            setupRequest: (req: any) => {
              sequence++;
              const body = JSON.stringify({
                eshopId: 222651,
                event: EVENTS[sequence % EVENTS.length],
                eventCreated: "2026-11-27T10:00:00+0100",
                eventInstance: `${run}-${sequence}`,
              });
              req.body = body;
              req.headers = { "content-type": "application/json", "shoptet-webhook-signature": signBody(KEY, body) };
              return req;
            },
          },
        ],
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
}

async function measure(name: string, start: () => Promise<{ child: ChildProcess; port: number }>) {
  const { child, port } = await start();
  try {
    await load(port, 2); // warm-up
    const result = await load(port, SECONDS);
    const non2xx = result.non2xx + result.errors + result.timeouts;
    const rps = result.requests.total / SECONDS;
    console.log(`  ${name.padEnd(9)} ${rps.toFixed(0).padStart(7)} req/s  p50 ${result.latency.p50} ms  p99 ${result.latency.p99} ms  non-2xx/errors ${non2xx}`);
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
  const daemon = () =>
    startChild(process.execPath, ["dist/main.js"], {
      SHOPTET_WEBHOOK_KEY: KEY,
      PORT: "0",
      HOST: "127.0.0.1",
      STOCKWATCH_DB: join(dir, `bench-${++dbN}.db`),
      STOCKWATCH_RULES: "config/rules.yaml",
      LOG_LEVEL: "info",
    });

  console.log(`ingest benchmark: ${ROUNDS} rounds × ${SECONDS} s, ${CONNECTIONS} connections, unique signed bodies`);
  const base: number[] = [];
  const ours: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round}`);
    base.push((await measure("baseline", baseline)).rps);
    ours.push((await measure("daemon", daemon)).rps);
  }
  console.log("latency at a fixed 1,000 req/s (daemon):");
  const { child, port } = await daemon();
  let p99 = NaN;
  let p50 = NaN;
  try {
    await load(port, 2, 1000);
    const fixed = await load(port, SECONDS, 1000);
    p99 = fixed.latency.p99;
    p50 = fixed.latency.p50;
    console.log(`  ${(fixed.requests.total / SECONDS).toFixed(0)} req/s sent, p50 ${p50} ms, p99 ${p99} ms`);
  } finally {
    await stopChild(child);
  }
  const b = median(base);
  const o = median(ours);
  console.log("");
  console.log(`baseline (node:http, verify + parse): ${b.toFixed(0)} req/s (median of ${ROUNDS})`);
  console.log(`daemon   (verify, validate, durable group commit): ${o.toFixed(0)} req/s (median of ${ROUNDS})`);
  console.log(`ratio: ${(o / b).toFixed(2)}×   (target ≥ 0.5×)`);
  console.log(`p99 at 1,000 req/s: ${p99} ms   (target ≤ 15 ms)`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
