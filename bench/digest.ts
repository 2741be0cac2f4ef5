/**
 * `npx tsx bench/digest.ts`: builds a daily digest (every section) over a database of 1,000,000
 * events and 100,000 stock movements for 20,000 products spread over 30 days, and prints how long
 * it takes (target: under 1 s), the time of each query, and EXPLAIN QUERY PLAN of each of them.
 * Every product has a 10-day lead time, so "running out soon" forecasts all 20,000 of them (the
 * generated movements carry no `changedBy`, so every decrease counts as a sale here).
 *
 *   BENCH_EVENTS=1000000 BENCH_MOVEMENTS=100000 BENCH_PRODUCTS=20000 BENCH_DAYS=30 BENCH_ROUNDS=5 npx tsx bench/digest.ts
 *   BENCH_DENSE=1 …   puts every event and movement into the last two days (the worst case for one period)
 *   BENCH_NO_DIGEST_INDEXES=1 …   drops the covering indexes of migration 0005, to compare
 *   BENCH_DB=/tmp/digest-bench.db …   keeps the database there (and reuses it when it exists)
 *   BENCH_NO_LEAD_TIMES=1 …   no `forecast.leadTimes`: "running out soon" only says so, to compare
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase, type Db } from "../src/db/open-database.js";
import { previewDigest } from "../src/digest/run-digest.js";
import { compileGlobList } from "../src/rules/glob.js";
import type { CompiledDigest } from "../src/rules/rules-types.js";
import { DIGEST_SECTIONS } from "../src/rules/rule-defaults.js";
import { EVENT_CATALOG } from "../src/events/event-catalog.js";
import { FORECAST_DEFAULTS, SALE_SOURCES } from "../src/forecast/forecast-types.js";
import { median, seededRandom as rng } from "./stats.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const MOVEMENTS = Number(process.env.BENCH_MOVEMENTS ?? 100_000);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 20_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DENSE = process.env.BENCH_DENSE === "1";
const NO_INDEXES = process.env.BENCH_NO_DIGEST_INDEXES === "1";
const NO_LEAD_TIMES = process.env.BENCH_NO_LEAD_TIMES === "1";
const ESHOP = 222651;
const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T06:00:00Z"); // Fri 27 Nov 07:00 in Prague
const SPAN = (DENSE ? 2 : DAYS) * DAY;


function generate(db: Db): void {
  const random = rng(42);
  const code = (i: number) => `P-${String(i).padStart(5, "0")}`;
  // A skewed event mix: orders and stock dominate, like a real shop.
  const types = Object.keys(EVENT_CATALOG);
  const weights = types.map((t) => (t.startsWith("order:") ? 40 : t.startsWith("stock:") ? 30 : t.startsWith("invoice:") ? 10 : 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const pickType = () => {
    let r = random() * totalWeight;
    for (let i = 0; i < types.length; i++) if ((r -= weights[i]!) < 0) return types[i]!;
    return types[0]!;
  };

  const product = db.prepare(
    `INSERT INTO stock_products (eshop_id, code, name, quantity_milli, min_milli, level, level_since, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const level = db.prepare(
    `INSERT INTO stock_level_changes (eshop_id, code, from_level, to_level, quantity_milli, at, cause_event) VALUES (?, ?, ?, ?, ?, ?, 'stock:movement')`,
  );
  const movement = db.prepare(
    `INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, change_time, applied_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const event = db.prepare(
    `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at, dedupe_key, known, raw)
     VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  );
  const alert = db.prepare(
    `INSERT OR IGNORE INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, resolved_at, last_values, updated_at)
     VALUES (?, 'c', 'stock', ?, ?, 'warning', ?, ?, ?, '{}', ?)`,
  );
  const outbox = db.prepare(
    `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, status, attempts, max_attempts,
                         not_before, next_attempt_at, last_error, created_at, updated_at)
     VALUES (?, 'warehouse', 'slack', '{"type":"slack","channel":"#w"}', 'slack:#w', 'alert', '{}', ?, ?, 1, 8, ?, ?, ?, ?, ?)`,
  );
  const raw = Buffer.from('{"eshopId":222651}');

  db.transaction(() => {
    for (let i = 0; i < PRODUCTS; i++) {
      const r = random();
      const lvl = r < 0.05 ? "soldOut" : r < 0.15 ? "low" : "ok";
      const since = NOW - Math.floor(random() * DAYS * DAY);
      const qty = lvl === "soldOut" ? 0 : lvl === "low" ? 1 + Math.floor(random() * 4) : 10 + Math.floor(random() * 500);
      product.run(ESHOP, code(i), `Product ${i}`, qty * 1000, 5000, lvl, since, since);
      // History: two level changes per product (out, and for most back again).
      const out = NOW - Math.floor(random() * SPAN);
      level.run(ESHOP, code(i), "ok", "soldOut", 0, out);
      if (lvl !== "soldOut") level.run(ESHOP, code(i), "soldOut", lvl, qty * 1000, Math.min(NOW - 1, out + Math.floor(random() * 3 * DAY)));
    }
    for (let i = 0; i < MOVEMENTS; i++) {
      const change = random() < 0.8 ? -(1 + Math.floor(random() * 20)) : 10 + Math.floor(random() * 200);
      const at = NOW - Math.floor(random() * SPAN);
      movement.run(ESHOP, 1 + (i % 3), i + 1, code(Math.floor(random() * PRODUCTS)), change * 1000, at, at);
    }
    const key = Buffer.alloc(20);
    for (let i = 0; i < EVENTS; i++) {
      const at = NOW - Math.floor(random() * SPAN);
      key.writeUInt32BE(i, 0);
      key.writeUInt32BE(Math.floor(random() * 2 ** 32), 4);
      event.run(ESHOP, pickType(), String(i), new Date(at).toISOString(), at, at, Buffer.from(key), raw);
    }
    for (let i = 0; i < 20_000; i++) {
      const opened = NOW - Math.floor(random() * SPAN);
      const resolved = random() < 0.7 ? Math.min(NOW - 1, opened + Math.floor(random() * DAY)) : null;
      alert.run(random() < 0.5 ? "sold-out" : "low", ESHOP, code(Math.floor(random() * PRODUCTS)), resolved === null ? "open" : "resolved", opened, resolved, resolved ?? opened);
    }
    for (let i = 0; i < 50_000; i++) {
      const at = NOW - Math.floor(random() * SPAN);
      const dead = random() < 0.002;
      outbox.run(`bench:${i}`, `Sold out: P-${i}`, dead ? "dead" : "sent", at, at, dead ? "channel_not_found" : null, at, at);
    }
  }).immediate();
}

/** Wraps a database so every statement run through it records its SQL, parameters and time. */
function recording(db: Db) {
  const seen = new Map<string, { params: unknown[]; ms: number; calls: number }>();
  const wrapStatement = (sql: string, stmt: object): object => {
    const proxy: object = new Proxy(stmt, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== "all" && prop !== "get" && prop !== "run" && prop !== "iterate") {
          // pluck(), raw(), bind() … return the statement itself: keep recording through it.
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(target, args);
            return result === target ? proxy : result;
          };
        }
        return (...params: unknown[]) => {
          const start = performance.now();
          let result = (value as (...a: unknown[]) => unknown).apply(target, params);
          if (prop === "iterate") result = [...(result as Iterable<unknown>)];
          const entry = seen.get(sql) ?? { params, ms: 0, calls: 0 };
          entry.ms += performance.now() - start;
          entry.calls++;
          seen.set(sql, entry);
          return result;
        };
      },
    });
    return proxy;
  };
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare") return (sql: string) => wrapStatement(sql, target.prepare(sql));
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, seen };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-digest-"));
  try {
    const keep = process.env.BENCH_DB;
    const reuse = keep !== undefined && existsSync(keep);
    const path = keep ?? join(dir, "bench.db");
    let db = openDatabase(path);
    // Generation only: a big page cache keeps the random-key index inserts in memory.
    db.pragma("cache_size = -262144");
    let t = performance.now();
    if (!reuse) generate(db);
    const genMs = performance.now() - t;
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.close();
    db = openDatabase(path); // a fresh connection, as the daemon would have: no pages cached by SQLite
    if (NO_INDEXES) db.exec("DROP INDEX events_by_type_time; DROP INDEX stock_movements_outflow;");
    console.log(
      `database: ${EVENTS.toLocaleString("en")} events, ${MOVEMENTS.toLocaleString("en")} movements, ${PRODUCTS.toLocaleString("en")} products, ` +
        `20,000 alerts, 50,000 deliveries over ${DENSE ? 2 : DAYS} days${NO_INDEXES ? ", WITHOUT the digest indexes" : ""} — generated in ${fmt(genMs)}, ${(statSync(path).size / 1e6).toFixed(0)} MB`,
    );

    const digest: CompiledDigest = {
      name: "morning",
      schedule: "0 7 * * *",
      notify: ["managers"],
      sections: [...DIGEST_SECTIONS],
      eshops: null,
      products: null,
      skipEmpty: false,
    };
    const leadTimes = NO_LEAD_TIMES ? [] : [{ products: "*", leadTimeDays: 10 }];
    const forecast = {
      settings: { ...FORECAST_DEFAULTS, salesBy: SALE_SOURCES },
      leadTimes,
      leadTimeFor: () => (leadTimes.length ? 10 : null),
    };
    const rules = { timezone: "Europe/Prague", digests: [digest], channel: () => undefined, forecast };
    const period = { from: NOW - DAY, to: NOW };
    const clock = { now: () => NOW };

    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < ROUNDS; i++) {
      t = performance.now();
      const { rendered, model } = await previewDigest({ db, clock }, digest, rules, period);
      times.push(performance.now() - t);
      size = rendered.html.length;
      if (i === 0) {
        console.log(
          `digest: ${model.soldOut?.count} sold out, ${model.low?.count} low, ${model.runningOut?.count} running out` +
            `${NO_LEAD_TIMES ? " (no lead times)" : ""}, ${model.backInStock?.count} back, ` +
            `${model.events?.total.toLocaleString("en")} events in the period (${model.events?.previousTotal.toLocaleString("en")} before), ` +
            `${model.alerts?.opened} alerts opened; subject "${rendered.subject}"`,
        );
      }
    }
    console.log(`build daily digest (gather + render), ${ROUNDS} rounds: first ${fmt(times[0]!)}, median ${fmt(median(times))}, max ${fmt(Math.max(...times))} — HTML ${(size / 1024).toFixed(0)} KiB`);
    console.log(`target < 1000 ms: ${Math.max(...times) < 1000 ? "met" : "NOT MET"}`);

    const products = compileGlobList(["P-1*"]);
    if (products.ok) {
      t = performance.now();
      await previewDigest({ db, clock }, { ...digest, products: products.matcher }, rules, period);
      console.log(`with a products glob (P-1*): ${fmt(performance.now() - t)}`);
    }

    t = performance.now();
    await previewDigest({ db, clock }, { ...digest, sections: ["runningOut"] }, rules, period);
    console.log(`the section "running out soon" alone: ${fmt(performance.now() - t)}`);

    const rec = recording(db);
    await previewDigest({ db: rec.db, clock }, digest, rules, period);
    console.log("\nqueries of one digest, slowest first, with EXPLAIN QUERY PLAN:");
    for (const [sql, { params, ms, calls }] of [...rec.seen].sort((a, b) => b[1].ms - a[1].ms)) {
      console.log(`\n${fmt(ms)}${calls > 1 ? ` (${calls} calls)` : ""}  ${sql.replace(/\s+/g, " ").trim()}`);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(params as unknown[])) as { id: number; parent: number; detail: string }[];
      const depth = new Map<number, number>();
      for (const row of plan) {
        const d = (depth.get(row.parent) ?? -1) + 1;
        depth.set(row.id, d);
        console.log(`    ${"  ".repeat(d)}${row.detail}`);
      }
    }
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
