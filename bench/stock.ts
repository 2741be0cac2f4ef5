/**
 * Stock benchmark (issue 3). Runs the real stock worker against the loopback Shoptet stand-in and
 * a real SQLite file, and reports medians of several runs:
 *
 *  1. movement reads per 1,000 `stock:movement` webhooks for ONE warehouse (target ≤ 5), and the
 *     time from the last webhook to a settled state — webhooks stored one transaction each, as
 *     fast as possible and spread over 2 s, the API answering after 30 ms;
 *  2. movements applied per second with 100,000 pending for one warehouse: end to end (HTTP
 *     pages of 1000 + parse + apply), the apply transactions alone, and a plain loop inserting
 *     the same rows into the same table in the same run.
 *
 *   npx tsx bench/stock.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase, type Db } from "../src/db/open-database.js";
import { SqliteEventStore } from "../src/store/sqlite/event-store.js";
import { systemClock } from "../src/shared/clock.js";
import { silentLogger } from "../src/shared/logger.js";
import { ShoptetClient } from "../src/shoptet/shoptet-client.js";
import { seedFromApi } from "../src/stock/seed-from-api.js";
import { createStockWorker } from "../src/stock/stock-worker.js";
import { startShoptetStandin, webhookEvent, type ShoptetStandin } from "../test/helpers/shoptet-standin.js";
import { median } from "./stats.js";

const ESHOP = 222651;
const MOVEMENTS = "GET /api/stocks/{id}/movements" as const;
const RUNS = Number(process.env.RUNS ?? 5);


function tempDb(): { db: Db; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-"));
  const db = openDatabase(join(dir, "bench.db"));
  return {
    db,
    done: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function standin(products: number, delayMs = 0): Promise<ShoptetStandin> {
  const s = await startShoptetStandin({ eshopId: ESHOP, delayMs });
  s.addStock(1);
  for (let i = 0; i < products; i++) {
    s.addProduct({ guid: `g-${i}`, name: `Product ${i}`, variants: [{ code: `P-${i}`, minStockSupply: 5, amounts: { 1: 1000 } }] });
  }
  return s;
}

function client(s: ShoptetStandin) {
  return new ShoptetClient({ baseUrl: s.url, tokenFor: () => s.token, clock: systemClock });
}

/** Seeds state like `stockwatch sync` (supplies; details marked fresh so reads do not fetch them). */
async function seed(db: Db, s: ShoptetStandin): Promise<void> {
  await seedFromApi({ db, clock: systemClock, client: client(s), eshopIds: [ESHOP], details: "none" });
  db.prepare("UPDATE stock_products SET min_checked_at = ?, min_milli = 5000").run(Date.now());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function coalescing(spreadMs: number): Promise<{ reads: number; settleMs: number; jobs: number; burstMs: number }> {
  const s = await standin(50, 30);
  const { db, done } = tempDb();
  await seed(db, s);
  s.resetCounts();
  const worker = createStockWorker({ db, clock: systemClock, logger: silentLogger(), client: client(s), onStockChanges: () => {} });
  const events = new SqliteEventStore(db);
  worker.start();
  const base = Date.now() - 3_600_000;
  const started = performance.now();
  for (let i = 0; i < 1000; i++) {
    s.move(1, `P-${i % 50}`, -1);
    events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", base + i * 1000, Date.now())]);
    worker.wake();
    const due = started + ((i + 1) * spreadMs) / 1000;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else if (i % 20 === 0) await new Promise((r) => setImmediate(r)); // let the worker run
  }
  const lastWebhook = performance.now();
  await worker.runUntilIdle();
  const settleMs = performance.now() - lastWebhook;
  await worker.stop();
  const applied = (db.prepare("SELECT count(*) AS n FROM stock_movements").get() as { n: number }).n;
  if (applied !== 1000) throw new Error(`expected 1000 movements applied, got ${applied}`);
  const jobs = (db.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'movement-read'").get() as { n: number }).n;
  const reads = s.count(MOVEMENTS);
  done();
  await s.close();
  return { reads, settleMs, jobs, burstMs: lastWebhook - started };
}

async function throughput(): Promise<{ endToEnd: number; applyOnly: number; plainInsert: number; pages: number }> {
  const PENDING = 100_000;
  const s = await standin(5000);
  const { db, done } = tempDb();
  await seed(db, s);
  for (let i = 0; i < PENDING; i++) s.move(1, `P-${(i * 7919) % 5000}`, i % 3 === 0 ? 2 : -1);
  s.resetCounts();
  const worker = createStockWorker({ db, clock: systemClock, logger: silentLogger(), client: client(s), onStockChanges: () => {} });
  // Time spent inside the apply transactions (cursor + movements + state + history + signal).
  let inTx = 0;
  const tx = worker.repo.transaction.bind(worker.repo);
  worker.repo.transaction = <T>(fn: () => T): T => {
    const t = performance.now();
    try {
      return tx(fn);
    } finally {
      inTx += performance.now() - t;
    }
  };
  new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:movement", "1", Date.now())]);
  const t0 = performance.now();
  await worker.runUntilIdle();
  const total = performance.now() - t0;
  const rows = db
    .prepare(
      `SELECT eshop_id, stock_id, movement_id, code, amount_change_milli, actual_amount_milli, sum_amount_milli,
              changed_by, change_time, applied_at FROM stock_movements ORDER BY movement_id`,
    )
    .raw(true)
    .all() as unknown[][];
  if (rows.length !== PENDING) throw new Error(`expected ${PENDING} movements applied, got ${rows.length}`);
  const pages = s.count(MOVEMENTS);

  // Baseline: the same rows into the same table, 1000 per transaction, nothing else.
  db.exec("DELETE FROM stock_movements");
  const insert = db.prepare("INSERT INTO stock_movements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const t1 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    db.transaction(() => {
      for (const r of rows.slice(i, i + 1000)) insert.run(...r);
    }).immediate();
  }
  const plain = performance.now() - t1;
  done();
  await s.close();
  return { endToEnd: PENDING / (total / 1000), applyOnly: PENDING / (inTx / 1000), plainInsert: PENDING / (plain / 1000), pages };
}

async function main(): Promise<void> {
  console.log(`stock benchmark: ${RUNS} runs each, medians (node ${process.version})\n`);
  for (const spread of (process.env.ONLY === "throughput" ? [] : [0, 2000])) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await coalescing(spread));
    const label = spread === 0 ? "as fast as stored" : `spread over ${spread / 1000} s`;
    console.log(
      `1,000 stock:movement webhooks, one warehouse, ${label}: ` +
        `${median(runs.map((r) => r.reads))} movement reads (runs: ${runs.map((r) => r.reads).join(", ")}), ` +
        `${median(runs.map((r) => r.jobs))} jobs, settled ${median(runs.map((r) => r.settleMs)).toFixed(0)} ms after the last webhook ` +
        `(webhooks took ${median(runs.map((r) => r.burstMs)).toFixed(0)} ms to store)`,
    );
  }
  if (process.env.ONLY === "coalescing") return;
  const t = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) t.push(await throughput());
  console.log(
    `\n100,000 pending movements, one warehouse (${t[0]!.pages} page reads of 1000):\n` +
      `  end to end (HTTP + parse + apply): ${median(t.map((x) => x.endToEnd)).toFixed(0)} movements/s\n` +
      `  apply transactions only:           ${median(t.map((x) => x.applyOnly)).toFixed(0)} movements/s\n` +
      `  plain INSERT loop, same rows:      ${median(t.map((x) => x.plainInsert)).toFixed(0)} rows/s`,
  );
}

await main();
