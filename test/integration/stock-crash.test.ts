import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { FixedClock, type Clock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { getProduct } from "../helpers/stock-reads.js";
import { createStockWorker, type StockWorkerOptions } from "../../src/stock/stock-worker.js";
import type { StockChange } from "../../src/stock/stock-types.js";
import { startShoptetStandin, webhookEvent, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const ESHOP = 222651;
const MOVEMENTS = "GET /api/stocks/{id}/movements" as const;
const T0 = Date.parse("2026-03-02T10:00:00Z");

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) {
    try {
      await o.close();
    } catch {
      // already closed by the test
    }
  }
});

function stack(standin: ShoptetStandin, path: string, clock: Clock, options: StockWorkerOptions = {}, onStockChanges?: (c: StockChange[]) => void) {
  const db = openDatabase(path);
  open.push(db);
  const changes: StockChange[] = [];
  const client = new ShoptetClient({ baseUrl: standin.url, tokenFor: () => standin.token, clock, retryBaseMs: 1, retryMaxDelayMs: 5, maxAttempts: 1 });
  const worker = createStockWorker({
    db,
    clock,
    logger: silentLogger(),
    client,
    onStockChanges: onStockChanges ?? ((c) => changes.push(...c)),
    options: { movementReadGapMs: 0, pollIntervalMs: 5, ...options },
  });
  return { db, worker, changes, events: new SqliteEventStore(db) };
}

async function standin(clock: Clock): Promise<ShoptetStandin> {
  const s = await startShoptetStandin({ eshopId: ESHOP, clock });
  open.push(s);
  s.addStock(1);
  s.addProduct({ guid: "g-a", name: "A", variants: [{ code: "A-1", minStockSupply: 1 }] });
  s.addProduct({ guid: "g-b", name: "B", variants: [{ code: "B/2", minStockSupply: 1 }] });
  return s;
}

/** [previous, current] quantity of each signal for one product, in order. */
function quantities(changes: readonly StockChange[], code: string): [number, number][] {
  return changes.filter((c) => c.code === code).map((c) => [c.previous?.quantity ?? 0, c.current.quantity]);
}

describe("crash safety of movement reads", () => {
  it("retries a job whose worker died mid-read (lease expiry) and applies nothing twice", async () => {
    const clock = new FixedClock(T0);
    const s = await standin(clock);
    for (let i = 0; i < 2500; i++) s.move(1, i % 2 ? "A-1" : "B/2", 1, { at: T0 - 1000 });
    const path = tempDbPath();

    // Worker 1 commits page 1, then hangs on page 2 — and its process "dies" there.
    s.failNext(MOVEMENTS, "pass", "hang");
    const w1 = stack(s, path, clock, { recoverOnStart: false, leaseMs: 60_000 });
    w1.events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", T0, T0)]);
    const dying = w1.worker.runUntilIdle().catch(() => undefined);
    await s.waitForRequests(MOVEMENTS, 2);
    expect(w1.db.prepare("SELECT count(*) AS n FROM stock_movements").get()).toEqual({ n: 1000 });
    expect(w1.db.prepare("SELECT status, attempts FROM jobs").get()).toEqual({ status: "running", attempts: 1 });
    w1.db.close(); // the process is gone: nothing of it writes again

    // A new process after the lease has expired.
    clock.advance(61_000);
    const w2 = stack(s, path, clock, { recoverOnStart: false });
    await w2.worker.runUntilIdle();

    const after = s.requests.filter((r) => r.route === MOVEMENTS).slice(2);
    expect(after[0]!.query.get("lastId")).toBe(String(1000 + 1000)); // ids start at 1001: page 1 ended at 2000
    const rows = w2.db.prepare("SELECT count(*) AS n, count(DISTINCT movement_id) AS uniq FROM stock_movements").get();
    expect(rows).toEqual({ n: 2500, uniq: 2500 });
    expect(getProduct(w2.db, ESHOP, "A-1")?.quantity).toBe(1250);
    expect(getProduct(w2.db, ESHOP, "B/2")?.quantity).toBe(1250);
    expect(w2.db.prepare("SELECT status, attempts FROM jobs").get()).toEqual({ status: "done", attempts: 2 });
    // Signals per product per committed chunk of a page: page 1 before the crash, pages 2 and 3
    // after. Each product's signals form one unbroken chain (each starts where the last ended):
    // nothing repeated, nothing skipped, and the crash falls exactly at page 1's end.
    for (const code of ["A-1", "B/2"]) {
      const before = quantities(w1.changes, code);
      const after = quantities(w2.changes, code);
      expect(before[0]![0]).toBe(0);
      expect(before.at(-1)![1]).toBe(500);
      expect(after[0]![0]).toBe(500);
      expect(after.at(-1)![1]).toBe(1250);
      for (const chain of [before, after]) {
        chain.forEach(([from, to], i) => {
          expect(to).toBeGreaterThan(from);
          if (i > 0) expect(from).toBe(chain[i - 1]![1]);
        });
      }
    }

    s.releaseHanging();
    await dying;
  });

  it("resumes at once on restart when the previous process left the job running", async () => {
    const clock = new FixedClock(T0);
    const s = await standin(clock);
    for (let i = 0; i < 1500; i++) s.move(1, "A-1", 1, { at: T0 - 1000 });
    const path = tempDbPath();
    s.failNext(MOVEMENTS, "pass", "hang");
    const w1 = stack(s, path, clock);
    w1.events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", T0, T0)]);
    const dying = w1.worker.runUntilIdle().catch(() => undefined);
    await s.waitForRequests(MOVEMENTS, 2);
    w1.db.close();

    const w2 = stack(s, path, clock); // same clock: the lease has NOT expired, recoverOnStart handles it
    await w2.worker.runUntilIdle();
    expect(w2.db.prepare("SELECT count(*) AS n, count(DISTINCT movement_id) AS uniq FROM stock_movements").get()).toEqual({ n: 1500, uniq: 1500 });
    expect(getProduct(w2.db, ESHOP, "A-1")?.quantity).toBe(1500);
    s.releaseHanging();
    await dying;
  });

  it("rolls back a page when the rules engine throws inside the transaction, then applies it once", async () => {
    const clock = new FixedClock(T0);
    const s = await standin(clock);
    for (let i = 0; i < 10; i++) s.move(1, i % 2 ? "A-1" : "B/2", 2, { at: T0 - 1000 });
    let calls = 0;
    const received: StockChange[] = [];
    const w = stack(
      s,
      tempDbPath(),
      clock,
      { retryPolicy: { name: "test", baseMs: 0, factor: 1, maxDelayMs: 0, maxAttempts: 3, jitter: 0 } },
      (changes) => {
        calls++;
        if (calls === 1) throw new Error("rules engine failed");
        received.push(...changes);
      },
    );
    w.events.insertBatch([webhookEvent(ESHOP, "stock:movement", "1", T0, T0)]);
    await w.worker.runUntilIdle();
    expect(calls).toBe(2);
    expect(received.map((c) => [c.code, c.previous, c.current.quantity])).toEqual([
      ["B/2", null, 10],
      ["A-1", null, 10],
    ]);
    expect(w.db.prepare("SELECT count(*) AS n FROM stock_movements").get()).toEqual({ n: 10 });
    expect(w.db.prepare("SELECT count(*) AS n FROM stock_level_changes").get()).toEqual({ n: 2 });
    expect(w.db.prepare("SELECT status, attempts FROM jobs").get()).toEqual({ status: "done", attempts: 2 });
  });
});
