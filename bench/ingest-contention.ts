/**
 * Part of `npm run bench:ingest`: webhooks at a fixed 1,000 req/s while the daemon is given things
 * that used to hold them back, each run against a plain run on the same machine:
 *
 * - plain:   the shipped rules file;
 * - redos:   a rules file whose globs backtrack catastrophically in a RegExp engine
 *            (`*a*a*a*a*a*a*a*a*a*a*b`), against 40-character product codes;
 * - prune:   `stockwatch prune --older-than 30d` deletes 1,000,000 old events in another process
 *            while the load runs.
 *
 * Each run reports the webhook latency (p50, p99, max), answers other than 200, the longest time
 * the engine held the write lock (its /metrics), and for prune the longest transaction it reports.
 * Target: p99 within 2× of the plain run, no 503.
 *
 *   BENCH_SECONDS=10 BENCH_EVENTS_OLD=1000000 tsx bench/ingest-contention.ts   (after npm run build)
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { openDatabase } from "../src/db/open-database.js";
import { KEY, load, startChild, stopChild } from "./webhook-load.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const OLD_EVENTS = Number(process.env.BENCH_EVENTS_OLD ?? 1_000_000);
const DAY = 86_400_000;

const REDOS_RULES = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: pathological-level
    when:
      level: soldOut
      products: ["*a*a*a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*c"]
    notify: [warehouse]
  - name: pathological-quantity
    when:
      products: ["*a*a*a*a*a*a*a*a*a*a*a*d"]
      quantity: { below: 5 }
    notify: [warehouse]
  - name: pathological-event
    when:
      event: "*a*a*a*a*a*a*a*a*a*a*z"
    notify: [warehouse]
`;

/** 40-character codes of "a"s with a varying tail (2,000 of them, period 2,000 as the load needs). */
const longCodes = (k: number) => `${"a".repeat(34)}${String((k * 7919) % 2000).padStart(6, "0")}`;

/** A database with `n` events received 60 days ago, already read by the event rules (so prune may delete them). */
function seedTemplate(path: string, n: number): void {
  openDatabase(path).close(); // schema
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const old = Date.now() - 60 * DAY;
  const insert = db.prepare(
    `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at, dedupe_key, known, raw)
     VALUES (222651, ?, ?, ?, ?, ?, ?, 1, ?)`,
  );
  const raw = Buffer.from('{"eshopId":222651,"event":"order:create","eventCreated":"2026-10-01T10:00:00+0200","eventInstance":"1"}');
  const key = Buffer.alloc(40);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const at = old + i * 10;
      key.writeBigInt64BE(BigInt(at), 0);
      key.writeUInt32BE(i, 8);
      insert.run(i % 5 ? "order:create" : "invoice:create", `OLD-${i}`, new Date(at).toISOString(), at, at, key, raw);
    }
  })();
  const max = (db.prepare("SELECT max(id) AS m FROM events").get() as { m: number }).m;
  db.prepare("INSERT INTO cursors (name, position) VALUES ('event-rules', ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position").run(max);
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
}

/** The engine's lock figures from /metrics: longest hold so far (and by whom), holds, holds over 50 ms. */
async function engineLockHold(port: number): Promise<{ ms: number; by: string; holds: number; over: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^stockwatch_write_lock_hold_max_seconds\{transaction="([^"]*)"\} (\S+)$/m.exec(text);
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return {
    ms: m ? Number(m[2]) * 1000 : NaN,
    by: m?.[1] ?? "?",
    holds: value("stockwatch_write_lock_holds_total"),
    over: value("stockwatch_write_lock_holds_over_budget_total"),
  };
}

interface RunResult {
  name: string;
  p50: number;
  p99: number;
  max: number;
  non200: number;
  lock: { ms: number; by: string };
  /** Engine transactions during the measured load, and how many of them held the lock over 50 ms. */
  holds: number;
  over: number;
  note: string;
}

async function run(name: string, dir: string, template: string, rulesPath: string, options: { codes?: (k: number) => string; prune?: boolean } = {}): Promise<RunResult> {
  const dbPath = join(dir, `${name}.db`);
  copyFileSync(template, dbPath);
  const { child, port } = await startChild(process.execPath, ["dist/main.js"], {
    SHOPTET_WEBHOOK_KEY: KEY,
    PORT: "0",
    HOST: "127.0.0.1",
    STOCKWATCH_DB: dbPath,
    STOCKWATCH_RULES: rulesPath,
    LOG_LEVEL: "info", // the "listening" line tells the port
  });
  let note = "";
  // The engine logs every write transaction that held the lock 200 ms or more, with its name.
  const longHolds: string[] = [];
  child.stdout!.on("data", (chunk: Buffer) => {
    for (const m of chunk.toString().matchAll(/"transaction":"([^"]+)","ms":(\d+)/g)) longHolds.push(`${m[1]} ${m[2]} ms`);
  });
  try {
    await load(port, 2, 16, 1000, options.codes); // warm-up
    const before = await engineLockHold(port);
    let pruning: Promise<void> = Promise.resolve();
    if (options.prune) {
      const started = Date.now();
      pruning = new Promise<void>((resolve) => setTimeout(resolve, 1000)).then(async () => {
        const { stdout } = await promisify(execFile)(process.execPath, ["dist/cli/main.js", "prune", "--older-than", "30d"], {
          env: { ...process.env, STOCKWATCH_DB: dbPath, STOCKWATCH_RULES: rulesPath },
          maxBuffer: 1 << 20,
        });
        const events = /: ([\d,]+) events/.exec(stdout)?.[1] ?? "?";
        const longest = /the longest (\d+) ms/.exec(stdout)?.[1] ?? "?";
        note = `prune deleted ${events} events in ${((Date.now() - started - 1000) / 1000).toFixed(1)} s, its longest transaction ${longest} ms`;
      });
    }
    const result = await load(port, SECONDS, 16, 1000, options.codes);
    await pruning;
    if (longHolds.length) note += `${note ? "; " : ""}engine holds of 200 ms or more: ${longHolds.join(", ")}`;
    return {
      name,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      non200: result.non2xx + result.errors + result.timeouts,
      ...(await engineLockHold(port).then((after) => ({ lock: after, holds: after.holds - before.holds, over: after.over - before.over }))),
      note,
    };
  } finally {
    await stopChild(child);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-contention-"));
  try {
    const template = join(dir, "template.db");
    const seeding = Date.now();
    seedTemplate(template, OLD_EVENTS);
    console.log(`contention benchmark: 1,000 req/s × ${SECONDS} s, 16 connections; ${OLD_EVENTS.toLocaleString("en-US")} old events seeded in ${((Date.now() - seeding) / 1000).toFixed(1)} s`);
    const redosRules = join(dir, "redos.yaml");
    writeFileSync(redosRules, REDOS_RULES);

    const results: RunResult[] = [];
    results.push(await run("plain", dir, template, "config/rules.yaml"));
    results.push(await run("redos", dir, template, redosRules, { codes: longCodes }));
    results.push(await run("plain-2", dir, template, "config/rules.yaml"));
    results.push(await run("prune", dir, template, "config/rules.yaml", { prune: true }));
    for (const r of results) {
      console.log(
        `  ${r.name.padEnd(8)} p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms  non-200 ${r.non200}  engine: ${r.over} of ${r.holds} transactions over 50 ms; longest since start ${r.lock.ms.toFixed(1)} ms (${r.lock.by})` +
          (r.note ? `\n           ${r.note}` : ""),
      );
    }
    const plain = (results[0]!.p99 + results[2]!.p99) / 2;
    for (const r of results.filter((x) => !x.name.startsWith("plain"))) {
      console.log(`${r.name}: p99 ${r.p99} ms vs plain ${plain} ms = ${(r.p99 / plain).toFixed(2)}× (target ≤ 2×), non-200 ${r.non200} (target 0)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
