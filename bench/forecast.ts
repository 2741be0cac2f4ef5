/**
 * `npx tsx bench/forecast.ts`: the days-of-cover forecast's performance targets, on a real SQLite
 * file (WAL, synchronous=FULL) with every migration plus 0006.
 *
 * 1. Recompute velocity + cover for ONE product after a movement, with 180 days of history:
 *    median µs (target ≤ 100 µs). Measured as the forecast read alone, as movement insert (with
 *    the 0006 triggers) + read, and as the rules engine's whole onStockChanges with two
 *    daysOfCover rules (forecast + alert lookup), for a busy (20/day) and a typical product.
 * 2. All 20,000 products: seconds (forecastAll, and the digest section "running out soon").
 *
 *   BENCH_PRODUCTS=20000 BENCH_DAYS=180 BENCH_ITERATIONS=20000 npx tsx bench/forecast.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../src/db/migrations/index.js";
import { migrate } from "../src/db/migrate.js";
import { openDatabase } from "../src/db/open-database.js";
import { daysOfCover } from "../src/forecast/cover.js";
import { createForecastReader } from "../src/forecast/forecast-reader.js";
import { DAY_MS, FORECAST_DEFAULTS } from "../src/forecast/forecast-types.js";
import { rankRunningOut, runningOutSoon } from "../src/forecast/running-out.js";
import { loadRulesText } from "../src/rules/load-rules.js";
import { createRulesEngine } from "../src/rules/rules-engine.js";
import { FixedClock } from "../src/shared/clock.js";
import { silentLogger } from "../src/shared/logger.js";
import { levelOf, type StockChange } from "../src/stock/stock-types.js";
import { median, percentile as pct, seededRandom as rng } from "./stats.js";

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 20_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 180);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20_000);
const NOW = Date.parse("2025-11-28T09:00:00Z");
const START = NOW - DAYS * DAY_MS;


/** Units per day of product i: 1% busy (20/day), 20% steady (3/day), the rest slow (0.3/day). */
const rateOf = (i: number) => (i % 100 === 0 ? 20 : i % 5 === 0 ? 3 : 0.3);
const codeOf = (i: number) => `P-${String(i).padStart(5, "0")}`;

const us = (ns: bigint) => Number(ns) / 1000;

const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-forecast-"));
try {
  const db = openDatabase(join(dir, "bench.db"), { migrate: false });
  migrate(db, migrations);

  // ---- Build the shop: 180 days of movements through the real tables (the 0006 triggers summarise them).
  const t0 = process.hrtime.bigint();
  const random = rng(42);
  const insertProduct = db.prepare(
    `INSERT INTO stock_products (eshop_id, code, name, quantity_milli, min_milli, level, level_since, updated_at)
     VALUES (1, ?, ?, ?, 5000, ?, ?, ?)`,
  );
  const insertMovement = db.prepare(
    `INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, actual_amount_milli,
                                  sum_amount_milli, changed_by, change_time, applied_at)
     VALUES (1, 1, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLevel = db.prepare(
    `INSERT INTO stock_level_changes (eshop_id, code, from_level, to_level, from_quantity_milli, quantity_milli, at, cause_event)
     VALUES (1, ?, ?, ?, ?, ?, ?, 'stock:movement')`,
  );
  const updateProduct = db.prepare("UPDATE stock_products SET quantity_milli = ?, level = ?, updated_at = ? WHERE eshop_id = 1 AND code = ?");
  let movementId = 0;
  let movements = 0;
  const build = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const code = codeOf(i);
      const rate = rateOf(i);
      let q = Math.round(rate * 30 + 10) * 1000;
      let level = levelOf(q / 1000, 5);
      insertProduct.run(code, `Product ${i}`, q, level, START, START);
      insertLevel.run(code, null, level, null, q, START);
      // Sales as a Poisson process; a restock whenever stock drops under a week; a stock count monthly.
      let t = START;
      for (;;) {
        t += Math.max(1, Math.round((-Math.log(1 - random()) / rate) * DAY_MS));
        if (t >= NOW) break;
        const units = random() < 0.01 ? 50 : 1 + Math.floor(random() * 2);
        const events: [number, string | null][] = [[-units * 1000, "customer"]];
        if (q - units * 1000 < rate * 7 * 1000 && random() < 0.5) events.push([Math.round(rate * 30 + 10) * 1000, "admin"]);
        if (random() < 0.01) events.push([-1000, "admin"]);
        for (const [delta, by] of events) {
          const before = q;
          q += delta;
          insertMovement.run(++movementId, code, delta, q, q, by, t, t);
          movements++;
          const next = levelOf(q / 1000, 5);
          if (next !== level) {
            insertLevel.run(code, level, next, before, q, t);
            level = next;
          }
        }
      }
      updateProduct.run(q, level, NOW, code);
    }
  });
  // Building the history is set-up, not what is measured: no fsync while it is written.
  db.pragma("synchronous = OFF");
  for (let i = 0; i < PRODUCTS; i += 500) build(i, Math.min(PRODUCTS, i + 500));
  db.pragma("synchronous = FULL");
  db.pragma("wal_checkpoint(TRUNCATE)");
  const buildS = Number(process.hrtime.bigint() - t0) / 1e9;
  const dailyRows = (db.prepare("SELECT count(*) AS n FROM forecast_daily").get() as { n: number }).n;
  console.log(
    `shop: ${PRODUCTS} products, ${DAYS} days, ${movements.toLocaleString("en")} movements ` +
      `(${dailyRows.toLocaleString("en")} daily rows), built in ${buildS.toFixed(1)} s`,
  );

  const reader = createForecastReader(db);
  const settings = { ...FORECAST_DEFAULTS };
  const query = { windowDays: settings.windowDays, salesBy: settings.salesBy, now: NOW };

  // ---- 1. One product after a movement.
  for (const [label, index] of [
    ["busy product (20/day, ~3,600 movements)", 0],
    ["steady product (3/day)", 5],
    ["slow product (0.3/day)", 7],
  ] as const) {
    const code = codeOf(index);
    const quantity = (db.prepare("SELECT quantity_milli FROM stock_products WHERE code = ?").get(code) as { quantity_milli: number }).quantity_milli / 1000;
    const read: number[] = [];
    for (let k = 0; k < ITERATIONS; k++) {
      const a = process.hrtime.bigint();
      const v = reader.velocity(1, code, query)!;
      daysOfCover(quantity, v, settings.minSales);
      read.push(us(process.hrtime.bigint() - a));
    }
    const v = reader.velocity(1, code, query)!;
    console.log(
      `forecast read, ${label}: median ${median(read).toFixed(1)} µs, p99 ${pct(read, 0.99).toFixed(1)} µs ` +
        `(velocity ${v.velocityPerDay?.toFixed(2)}/day, cover ${daysOfCover(quantity, v, settings.minSales)?.toFixed(1)} days)`,
    );
  }

  // Movement insert (triggers) + forecast read, as the stock worker + engine would do it, in one transaction per batch.
  {
    const code = codeOf(0);
    const both: number[] = [];
    const run = db.transaction((n: number) => {
      for (let k = 0; k < n; k++) {
        const a = process.hrtime.bigint();
        insertMovement.run(++movementId, code, -1000, 0, 0, "customer", NOW - 1000 + (k % 1000), NOW);
        const v = reader.velocity(1, code, query)!;
        daysOfCover(10, v, settings.minSales);
        both.push(us(process.hrtime.bigint() - a));
      }
    });
    for (let done = 0; done < ITERATIONS; done += 1000) run(1000);
    console.log(`movement insert (with triggers) + forecast, busy product: median ${median(both).toFixed(1)} µs, p99 ${pct(both, 0.99).toFixed(1)} µs`);
  }

  // The rules engine's whole path for one change with two daysOfCover rules (no alert opens: thresholds are low).
  {
    const load = loadRulesText(
      `channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: cover
    when: { daysOfCover: { below: 0.5 } }
    notify: [warehouse]
  - name: reorder
    when: { daysOfCover: { belowLeadTime: true } }
    notify: [warehouse]
forecast:
  leadTimes: [{ products: ["*"], leadTime: 0.2d }]
`,
      "bench.yaml",
    );
    if (!load.ok) throw new Error(JSON.stringify(load.errors));
    const rules = load.rules;
    const engine = createRulesEngine({
      db,
      clock: new FixedClock(NOW),
      logger: silentLogger(),
      getRules: () => rules,
      enqueue: () => {},
      getForecast: reader.velocity,
    });
    const code = codeOf(5);
    const snap = { eshopId: 1, code, name: "x", quantity: 40, minStockSupply: 5, level: levelOf(40, 5), perStock: {} };
    const change: StockChange = { eshopId: 1, code, previous: snap, current: snap, cause: { event: "stock:movement", eventId: null }, at: NOW };
    const run = db.transaction((n: number, out: number[]) => {
      for (let k = 0; k < n; k++) {
        const a = process.hrtime.bigint();
        engine.onStockChanges([change]);
        out.push(us(process.hrtime.bigint() - a));
      }
    });
    const times: number[] = [];
    for (let done = 0; done < ITERATIONS; done += 1000) run(1000, times);
    console.log(`rules engine onStockChanges, 2 daysOfCover rules: median ${median(times).toFixed(1)} µs, p99 ${pct(times, 0.99).toFixed(1)} µs`);
  }

  // What the 0006 triggers add to the stock worker's movement insert (measured, then the triggers are dropped on this copy).
  {
    const measure = (label: string) => {
      const times: number[] = [];
      const run = db.transaction((n: number) => {
        for (let k = 0; k < n; k++) {
          const a = process.hrtime.bigint();
          insertMovement.run(++movementId, codeOf(k % PRODUCTS), -1000, 0, 0, "customer", NOW - 1000, NOW);
          times.push(us(process.hrtime.bigint() - a));
        }
      });
      for (let done = 0; done < ITERATIONS; done += 1000) run(1000);
      return `${label} ${median(times).toFixed(1)} µs`;
    };
    const withTriggers = measure("with the 0006 triggers");
    db.exec("DROP TRIGGER forecast_daily_on_movement; DROP TRIGGER forecast_seen_on_movement;");
    console.log(`movement insert alone, median: ${withTriggers}, ${measure("without")}`);
  }

  // ---- 2. Every product.
  {
    const a = process.hrtime.bigint();
    const all = reader.forecastAll(settings, NOW);
    const s = Number(process.hrtime.bigint() - a) / 1e9;
    const withCover = all.filter((f) => f.daysOfCover !== null).length;
    console.log(`all ${all.length} products (forecastAll): ${s.toFixed(2)} s (${((s / all.length) * 1e6).toFixed(1)} µs each; ${withCover} with a days-of-cover figure)`);
    const b = process.hrtime.bigint();
    const section = runningOutSoon(reader, NOW, { leadTimeFor: () => 10, settings });
    const s2 = Number(process.hrtime.bigint() - b) / 1e9;
    console.log(`digest section "running out soon" over all products: ${s2.toFixed(2)} s (${section.count} products below a 10-day lead time)`);
    // The section skips products whose sales alone prove they last longer: it must find what ranking every forecast finds.
    const full = rankRunningOut(all, { leadTimeFor: () => 10, settings, limit: 1_000_000 });
    const same = full.count === section.count && section.rows.every((r, i) => r.code === full.rows[i]?.code && r.eshopId === full.rows[i]?.eshopId);
    console.log(`  same products as ranking every forecast: ${same ? "yes" : `NO (${full.count} there)`}`);
    const c = process.hrtime.bigint();
    const each = reader.forecastEach(settings, NOW, { coverBelow: () => 10 });
    let read = each.next().done ? 0 : 1;
    const first = Number(process.hrtime.bigint() - c) / 1e6;
    while (!each.next().done) read++;
    console.log(`  of which: weekly sales of every product in one query ${first.toFixed(0)} ms; history read for ${read} products`);
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
