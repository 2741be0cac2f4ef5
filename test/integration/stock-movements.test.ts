import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { systemClock, type Clock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { getProduct, listProducts } from "../helpers/stock-reads.js";
import { createStockWorker, type StockWorkerOptions } from "../../src/stock/stock-worker.js";
import type { StockChange } from "../../src/stock/stock-types.js";
import { startShoptetStandin, webhookEvent, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const ESHOP = 222651;
const MOVEMENTS = "GET /api/stocks/{id}/movements" as const;

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function standinWithProducts(): Promise<ShoptetStandin> {
  const s = await startShoptetStandin({ eshopId: ESHOP });
  open.push(s);
  s.addStock(1);
  s.addStock(2);
  s.addProduct({ guid: "g-kav", name: "Coffee", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 0, 2: 0 } }] });
  s.addProduct({ guid: "g-tea", name: "Tea", variants: [{ code: "26/BIL", name: "White", minStockSupply: 2, amounts: { 1: 0 } }] });
  return s;
}

function stack(standin: ShoptetStandin, path: string, options: StockWorkerOptions = {}, clock: Clock = systemClock) {
  const db = openDatabase(path);
  open.push(db);
  const changes: StockChange[] = [];
  const client = new ShoptetClient({ baseUrl: standin.url, tokenFor: () => standin.token, clock, retryBaseMs: 1, retryMaxDelayMs: 5 });
  const worker = createStockWorker({
    db,
    clock,
    logger: silentLogger(),
    client,
    onStockChanges: (c) => changes.push(...c),
    options: { movementReadGapMs: 0, pollIntervalMs: 5, ...options },
  });
  return { db, worker, changes, events: new SqliteEventStore(db), client };
}

let second = 0;
/**
 * The webhook Shoptet sends after a movement in a warehouse. eventCreated has second precision and
 * is part of the receiver's dedupe key, so each call takes a new second.
 */
function movementWebhook(stockId: number) {
  return webhookEvent(ESHOP, "stock:movement", String(stockId), Date.now() - 600_000 + ++second * 1000, Date.now());
}

function movementRows(db: Db): { n: number; uniq: number } {
  return db.prepare("SELECT count(*) AS n, count(DISTINCT movement_id) AS uniq FROM stock_movements").get() as { n: number; uniq: number };
}

describe("stock:movement reads", () => {
  it("reads every page after first contact and applies each movement", async () => {
    const s = await standinWithProducts();
    const { db, worker, events, changes } = stack(s, tempDbPath());
    for (let i = 0; i < 2345; i++) s.move(1, i % 3 === 0 ? "26/BIL" : "KAV-1", i % 2 === 0 ? 3 : -1);
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();

    const reads = s.requests.filter((r) => r.route === MOVEMENTS);
    expect(reads).toHaveLength(3); // 1000 + 1000 + 345
    expect(reads[0]!.query.get("changeTimeFrom")).toMatch(/\+0000$/); // first contact: by time, before the webhook
    expect(reads[0]!.query.get("include")).toContain("sumAmount");
    expect(reads[0]!.query.get("itemsPerPage")).toBe("1000");
    expect(reads.slice(1).every((r) => r.query.has("lastId") && !r.query.has("changeTimeFrom"))).toBe(true);
    expect(movementRows(db)).toEqual({ n: 2345, uniq: 2345 });

    const kav = getProduct(db, ESHOP, "KAV-1")!;
    expect(kav.quantity).toBe(s.quantityOf("KAV-1"));
    expect(kav).toMatchObject({ name: "Coffee", minStockSupply: 5, level: "ok", perStock: { "1": s.quantityOf("KAV-1") } });
    expect(getProduct(db, ESHOP, "26/BIL")).toMatchObject({ name: "Tea (White)", quantity: s.quantityOf("26/BIL") });
    // One signal per product per committed page, each with the right before/after.
    expect(changes.length).toBeGreaterThanOrEqual(2);
    expect(changes.at(-1)!.current.quantity).toBeGreaterThan(0);
    expect(changes.every((c) => c.cause.event === "stock:movement" && c.cause.eventId !== null)).toBe(true);
  });

  it("does not skip the movement that caused the first webhook", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    s.move(1, "KAV-1", 4, { at: Date.now() - 3_600_000 }); // old history: not read
    s.move(1, "KAV-1", 2); // the movement behind the webhook
    events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", Date.now())]);
    await worker.runUntilIdle();
    expect(movementRows(db).n).toBe(1);
    expect(getProduct(db, ESHOP, "KAV-1")?.quantity).toBe(6); // sumAmount is absolute
  });

  it("starts the cursor at the newest movement when nothing happened since the first webhook", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    const oldId = s.move(1, "KAV-1", 4, { at: Date.now() - 3_600_000 });
    events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", Date.now())]);
    await worker.runUntilIdle();
    expect(db.prepare("SELECT last_id FROM stock_cursors").get()).toEqual({ last_id: oldId });
    expect(movementRows(db).n).toBe(0);
    const newId = s.move(1, "KAV-1", -1);
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();
    expect(db.prepare("SELECT movement_id FROM stock_movements").all()).toEqual([{ movement_id: newId }]);
  });

  it("resumes from the cursor after a restart", async () => {
    const s = await standinWithProducts();
    const path = tempDbPath();
    const first = stack(s, path);
    for (let i = 0; i < 10; i++) s.move(1, "KAV-1", 1);
    first.events.insertBatch([movementWebhook(1)]);
    await first.worker.runUntilIdle();
    await first.worker.stop();
    first.db.close();

    const lastApplied = s.movementCount(1);
    for (let i = 0; i < 5; i++) s.move(1, "KAV-1", -1);
    s.resetCounts();
    const second = stack(s, path);
    second.events.insertBatch([movementWebhook(1)]);
    await second.worker.runUntilIdle();

    const reads = s.requests.filter((r) => r.route === MOVEMENTS);
    expect(reads).toHaveLength(1);
    expect(Number(reads[0]!.query.get("lastId"))).toBeGreaterThanOrEqual(1000 + lastApplied);
    expect(movementRows(second.db)).toEqual({ n: 15, uniq: 15 });
    expect(getProduct(second.db, ESHOP, "KAV-1")?.quantity).toBe(5);
    expect(second.changes).toHaveLength(1);
    expect(second.changes[0]).toMatchObject({ previous: { quantity: 10 }, current: { quantity: 5, level: "low" } }); // 5 ≤ minStockSupply 5
  });

  it("applies each movement once when webhooks repeat", async () => {
    const s = await standinWithProducts();
    const { db, worker, events, changes } = stack(s, tempDbPath());
    s.move(1, "KAV-1", 8);
    const hook = movementWebhook(1);
    events.insertBatch([hook, hook]); // Shoptet's retry of the same delivery
    await worker.runUntilIdle();
    events.insertBatch([movementWebhook(1), movementWebhook(1)]); // more webhooks, no new movement
    await worker.runUntilIdle();
    s.move(1, "KAV-1", -4);
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();

    expect(movementRows(db)).toEqual({ n: 2, uniq: 2 });
    expect(getProduct(db, ESHOP, "KAV-1")?.quantity).toBe(4);
    expect(changes.map((c) => [c.previous?.quantity ?? null, c.current.quantity, c.current.level])).toEqual([
      [null, 8, "ok"],
      [8, 4, "low"],
    ]);
  });

  it("folds a burst of 50 webhooks for one warehouse into at most 2 reads", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    worker.start();
    // The first webhook starts a read; we hold it at Shoptet while the other 49 arrive.
    const held = s.hold(MOVEMENTS);
    s.move(1, "KAV-1", 1);
    events.insertBatch([movementWebhook(1)]);
    worker.wake();
    await held.arrived;
    for (let i = 1; i < 50; i++) {
      s.move(1, "KAV-1", 1);
      events.insertBatch([movementWebhook(1)]);
      worker.wake();
    }
    held.release();
    await worker.runUntilIdle();
    await worker.stop();

    // Bound: webhooks arriving while a read is pending or running cost ONE more read in total.
    expect(s.count(MOVEMENTS)).toBeLessThanOrEqual(2);
    expect(s.count("GET /api/stocks/{id}/movements/last")).toBe(1); // once per warehouse, ever
    expect(movementRows(db).n).toBe(50);
    expect(getProduct(db, ESHOP, "KAV-1")?.quantity).toBe(50);
    const jobs = db.prepare("SELECT status, coalesced FROM jobs WHERE kind = 'movement-read' ORDER BY id").all();
    expect(jobs).toEqual([
      { status: "done", coalesced: 1 },
      { status: "done", coalesced: 49 },
    ]);
  });

  it("retries after 503 and honours a 429 date, then applies everything once", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    s.move(1, "KAV-1", 7);
    s.failNext(MOVEMENTS, { status: 503 }, (now) => ({ status: 429, headers: { "Retry-After": new Date(now + 1000).toUTCString() } }));
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();
    const reads = s.requests.filter((r) => r.route === MOVEMENTS);
    expect(reads).toHaveLength(3);
    // The retry after the 429 waited until its Retry-After date (second precision).
    expect(reads[2]!.at).toBeGreaterThanOrEqual(Math.floor(reads[1]!.at / 1000) * 1000 + 1000);
    expect(movementRows(db).n).toBe(1);
    expect(db.prepare("SELECT status FROM jobs").get()).toEqual({ status: "done" });
  });

  it("reschedules the job when Shoptet asks to wait longer than a call may, and finishes later", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    s.move(1, "KAV-1", 7);
    s.failNext(MOVEMENTS, (now) => ({ status: 429, headers: { "Retry-After": new Date(now + 600_000).toUTCString() } }));
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();
    const job = db.prepare("SELECT status, run_at, last_error FROM jobs").get() as { status: string; run_at: number; last_error: string };
    expect(job.status).toBe("pending");
    expect(job.run_at).toBeGreaterThan(Date.now() + 590_000);
    expect(job.last_error).toMatch(/rate limit/);
    // Ten minutes later (a restarted daemon here, as the test will not wait): the job finishes.
    await worker.stop();
    db.prepare("UPDATE jobs SET run_at = 0").run();
    const later = stack(s, db.name);
    await later.worker.runUntilIdle();
    expect(movementRows(later.db).n).toBe(1);
  });

  it("marks the job dead with the reason when the warehouse does not exist", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    events.insertBatch([movementWebhook(99)]);
    await worker.runUntilIdle();
    const job = db.prepare("SELECT status, last_error FROM jobs").get() as { status: string; last_error: string };
    expect(job.status).toBe("dead");
    expect(job.last_error).toMatch(/404.*stock-not-found/);
    // Not retried: one request in all (the first-contact /movements/last already says 404).
    expect(s.count(MOVEMENTS) + s.count("GET /api/stocks/{id}/movements/last")).toBe(1);
  });

  it("lists products by level for GET /api/products after scripted changes", async () => {
    const s = await standinWithProducts();
    const { db, worker, events } = stack(s, tempDbPath());
    s.move(1, "KAV-1", 20);
    s.move(1, "26/BIL", 5);
    events.insertBatch([movementWebhook(1)]);
    await worker.runUntilIdle();
    s.move(1, "KAV-1", -16); // 4 ≤ min 5: low
    s.move(2, "26/BIL", -5); // total 0: sold out
    events.insertBatch([movementWebhook(1), movementWebhook(2)]);
    await worker.runUntilIdle();

    expect(listProducts(db, { level: "low" }).map((p) => p.code)).toEqual(["KAV-1"]);
    const soldOut = listProducts(db, { level: "soldOut" });
    expect(soldOut.map((p) => p.code)).toEqual(["26/BIL"]);
    expect(soldOut[0]).toMatchObject({ eshopId: ESHOP, quantity: 0, minStockSupply: 2, perStock: { "1": 5, "2": -5 } });
    expect(Date.parse(soldOut[0]!.levelSince)).toBeGreaterThan(0);
    expect(listProducts(db, { level: "ok" })).toEqual([]);
  });
});
