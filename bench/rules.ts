/**
 * `npx tsx bench/rules.ts` (or `npm run bench:rules`): the rules language's two performance targets.
 *
 * 1. One stock change evaluated against 1,000 rules with globs (pure evaluateStockChange):
 *    median µs per change. Target < 50 µs. Also 1,000 rules that all start with the same letters
 *    as the code, and the engine's full path (alert lookup + writes) on a real SQLite file.
 * 2. `rules test` over 1,000,000 stored events: seconds. Target < 10 s.
 *
 *   BENCH_EVENTS=1000000 BENCH_ITERATIONS=200000 npx tsx bench/rules.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runRulesTest } from "../src/cli/commands/rules-test.js";
import { openDatabase } from "../src/db/open-database.js";
import { evaluateStockChange } from "../src/rules/evaluate-stock.js";
import { loadRulesText } from "../src/rules/load-rules.js";
import { createRulesEngine } from "../src/rules/rules-engine.js";
import type { CompiledRules } from "../src/rules/rules-types.js";
import { FixedClock } from "../src/shared/clock.js";
import { silentLogger } from "../src/shared/logger.js";
import { levelOf, type StockChange } from "../src/stock/stock-types.js";
import { median } from "./stats.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const HEADER = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse", quietHours: { from: "22:00", to: "06:00" } }
  managers: { type: email, to: [manager@example.com] }
rules:
`;

/**
 * 1,000 rules the way a big shop might write them: 800 per product family (prefix globs with an
 * exclusion, level or quantity, some per warehouse), 100 with a leading wildcard (candidates for
 * every code), 100 event rules (exact types, lists, globs, cooldowns).
 */
function thousandRules(samePrefix: boolean): string {
  const out: string[] = [];
  for (let i = 0; i < 800; i++) {
    const family = samePrefix ? `KAV-${i}` : `${LETTERS[i % 26]}${LETTERS[Math.floor(i / 26) % 26]}${i}`;
    const when =
      i % 4 === 0
        ? `{ products: ["${family}-*", "!${family}-TEST*"], level: soldOut }`
        : i % 4 === 1
          ? `{ products: ["${family}-*"], level: low }`
          : i % 4 === 2
            ? `{ products: ["${family}-*", "${family}?X*"], quantity: { below: ${10 + (i % 50)} } }`
            : `{ products: ["${family}-*"], stocks: [1, 2], quantity: { atOrBelow: ${i % 5} } }`;
    out.push(`  - name: r${i}\n    when: ${when}\n    notify: [warehouse]${i % 3 === 0 ? "\n    repeat: 12h" : ""}`);
  }
  for (let i = 800; i < 900; i++) {
    out.push(`  - name: r${i}\n    when: { products: ["*-${i}", "!*TEST*"], quantity: { below: ${i % 30} } }\n    notify: [warehouse]`);
  }
  const eventForms = ['"order:*"', "order:cancel", '["invoice:create", "invoice:update"]', '"product*:*"', "customer:create"];
  for (let i = 900; i < 1000; i++) {
    out.push(`  - name: r${i}\n    when: { event: ${eventForms[i % eventForms.length]} }\n    notify: [managers]${i % 2 ? "\n    cooldown: 1h" : ""}`);
  }
  return HEADER + out.join("\n") + "\n";
}

function compile(text: string): CompiledRules {
  const r = loadRulesText(text, "bench.yaml");
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("\n"));
  return r.rules;
}


function changeFor(code: string, quantity: number): StockChange {
  const snap = (q: number) => ({ eshopId: 1, code, name: "Bench product", quantity: q, minStockSupply: 5, level: levelOf(q, 5), perStock: { "1": q / 2, "2": q / 2 } });
  return { eshopId: 1, code, previous: snap(quantity + 1), current: snap(quantity), cause: { event: "stock:movement", eventId: 1 }, at: Date.now() };
}

/** Median µs per call, measured in batches of 100 so the timer's own cost does not dominate. */
function measure(fn: (i: number) => void, iterations: number): number {
  for (let i = 0; i < 20_000; i++) fn(i);
  const batches: number[] = [];
  for (let b = 0; b < iterations / 100; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < 100; i++) fn(i);
    batches.push(Number(process.hrtime.bigint() - start) / 100 / 1000);
  }
  return median(batches);
}

function benchEvaluate() {
  const t0 = performance.now();
  const rules = compile(thousandRules(false));
  const compileMs = performance.now() - t0;
  const worst = compile(thousandRules(true));
  // Codes in families that exist (and would match), of other families, and of none.
  const codes = ["AA0-17", "QB42-3", "ZZ675-1", "XYZ-999", "KAV-7-1"];
  const changes = codes.flatMap((c) => [changeFor(c, 0), changeFor(c, 3), changeFor(c, 12)]);
  let sink = 0;
  const typical = measure((i) => (sink += evaluateStockChange(changes[i % changes.length]!, rules, [], 0).length), ITERATIONS);
  const worstChanges = [changeFor("KAV-7-1", 0), changeFor("KAV-512-9", 3), changeFor("KAV-99-TEST", 12)];
  const allCandidates = measure((i) => (sink += evaluateStockChange(worstChanges[i % worstChanges.length]!, worst, [], 0).length), ITERATIONS / 4);
  console.log(`compile 1,000 rules: ${compileMs.toFixed(1)} ms`);
  console.log(`one stock change vs 1,000 rules (typical codes):            median ${typical.toFixed(2)} µs  (target < 50 µs)`);
  console.log(`one stock change vs 1,000 rules sharing one prefix (KAV-…):  median ${allCandidates.toFixed(2)} µs`);
  return { rules, typical, sink };
}

function benchEngine(rules: CompiledRules, dir: string) {
  const db = openDatabase(join(dir, "engine.db"));
  const clock = new FixedClock(Date.now());
  let messages = 0;
  const engine = createRulesEngine({ db, clock, logger: silentLogger(), getRules: () => rules, enqueue: () => void messages++ });
  engine.reconcile();
  const codes = Array.from({ length: 2000 }, (_, i) => `${LETTERS[i % 26]}${LETTERS[Math.floor(i / 26) % 26]}${i % 800}-${i}`);
  let n = 0;
  const perChange = measure(() => {
    const code = codes[n % codes.length]!;
    const q = [0, 3, 40][Math.floor(n / codes.length) % 3]!;
    n++;
    clock.advance(1000);
    engine.onStockChanges([changeFor(code, q)]);
  }, 20_000);
  db.close();
  console.log(`engine.onStockChanges, one change, real SQLite file in the temp dir (own transaction): median ${perChange.toFixed(1)} µs (${messages} messages)`);
}

function benchBacktest(rules: CompiledRules, dir: string) {
  const db = openDatabase(join(dir, "history.db"));
  const types = ["order:create", "order:update", "order:cancel", "invoice:create", "product:update", "stock:movement", "customer:create", "job:finished"];
  const now = Date.now();
  const from = now - 7 * 86_400_000;
  const step = (now - from) / EVENTS;
  const insert = db.prepare(
    `INSERT INTO events (eshop_id, event, event_instance, event_created, received_at, dedupe_key, known, raw) VALUES (?, ?, ?, '', ?, ?, 1, x'')`,
  );
  const t0 = performance.now();
  db.transaction(() => {
    const key = Buffer.alloc(8);
    for (let i = 0; i < EVENTS; i++) {
      key.writeBigUInt64BE(BigInt(i));
      // Every 3,000th event repeats an (e-shop, type, instance): about every 30 minutes, inside 1h cooldowns.
      insert.run(1 + (i % 3), types[i % types.length]!, String(100_000 + (i % 3000)), Math.floor(from + i * step), key);
    }
  })();
  // Stored history has long been checkpointed into the main file; do not measure reads through a 1M-row WAL.
  db.pragma("wal_checkpoint(TRUNCATE)");
  console.log(`prepared ${EVENTS.toLocaleString("en")} stored events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const nullOut = { write: () => true };
  const t1 = performance.now();
  const result = runRulesTest({ db, rules, since: from - 1, now }, nullOut);
  const seconds = (performance.now() - t1) / 1000;
  const fired = result.rules.reduce((s, r) => s + r.opened, 0);
  const held = result.rules.reduce((s, r) => s + r.held, 0);
  db.close();
  console.log(`rules test over ${result.events.toLocaleString("en")} events with 1,000 rules: ${seconds.toFixed(2)} s  (target < 10 s; ${fired.toLocaleString("en")} fired, ${held.toLocaleString("en")} held by cooldown)`);
}

const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-rules-"));
try {
  console.log(`node ${process.version}, ${ITERATIONS.toLocaleString("en")} evaluations, ${EVENTS.toLocaleString("en")} events\n`);
  const { rules } = benchEvaluate();
  benchEngine(rules, dir);
  benchBacktest(rules, dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
