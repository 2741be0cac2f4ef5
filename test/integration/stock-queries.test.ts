import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import type { Movement } from "../../src/shoptet/shoptet-types.js";
import { applyMovement } from "../../src/stock/observations.js";
import {
  backInStock,
  biggestOutflow,
  countByLevel,
  dailyOutflow,
  levelChanges,
  listProducts,
  lowNow,
  soldOutNow,
} from "../../src/stock/stock-queries.js";
import { StockRepo } from "../../src/stock/stock-repo.js";
import { blankState, cloneState } from "../../src/stock/stock-state.js";
import { StockWriter } from "../../src/stock/stock-writer.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const DAY = 86_400_000;
const T = Date.parse("2026-03-02T00:00:00Z");
let db: Db;
let repo: StockRepo;
let writer: StockWriter;
let nextId = 1;

beforeEach(() => {
  db = openDatabase(tempDbPath());
  repo = new StockRepo(db);
  writer = new StockWriter(repo, () => {});
});
afterEach(() => db.close());

/** Applies a movement at `at` the way the movement reader does. */
function move(code: string, change: number, at: number, min: number | null = 2) {
  repo.transaction(() => {
    const previous = repo.getProduct(1, code);
    const next = previous ? cloneState(previous) : blankState(1, code, at);
    next.minMilli = min === null ? null : min * 1000;
    next.name = `Name of ${code}`;
    const q = (previous?.quantityMilli ?? 0) + change * 1000;
    const m: Movement = { id: nextId++, productCode: code, actualAmountMilli: q, amountChangeMilli: change * 1000, sumAmountMilli: q, changedBy: null, changeTime: at, productGuid: null };
    repo.insertMovement(1, 1, m, at);
    applyMovement(next, 1, m);
    writer.commit([{ previous, next }], { event: "stock:movement", eventId: null }, at, true);
  });
}

describe("stock queries", () => {
  beforeEach(() => {
    move("A", 10, T); // ok
    move("A", -10, T + DAY); // sold out
    move("A", 5, T + 3 * DAY); // back (ok), out for 2 days
    move("B", 3, T); // ok
    move("B", -2, T + DAY); // low
    move("C", 1, T);
    move("C", -1, T + 2 * DAY); // sold out, stays
  });

  it("lists products by level, with per-warehouse amounts and since-when", () => {
    expect(countByLevel(db)).toEqual({ soldOut: 1, low: 1, ok: 1 });
    expect(listProducts(db, { level: "ok" })).toEqual([
      expect.objectContaining({ code: "A", quantity: 5, minStockSupply: 2, perStock: { "1": 5 }, levelSince: new Date(T + 3 * DAY).toISOString() }),
    ]);
    expect(soldOutNow(db).map((p) => [p.code, p.sinceMs])).toEqual([["C", T + 2 * DAY]]);
    expect(lowNow(db).map((p) => [p.code, p.quantity, p.sinceMs])).toEqual([["B", 1, T + DAY]]);
    expect(listProducts(db, { codePrefix: "B" }).map((p) => p.code)).toEqual(["B"]);
  });

  it("finds products back in stock in a period with how long they were out", () => {
    expect(backInStock(db, { from: T + 2 * DAY, to: T + 4 * DAY })).toEqual([
      { eshopId: 1, code: "A", name: "Name of A", at: T + 3 * DAY, soldOutAt: T + DAY, outForMs: 2 * DAY, quantity: 5, levelNow: "ok" },
    ]);
    expect(backInStock(db, { from: T + 4 * DAY, to: T + 5 * DAY })).toEqual([]);
  });

  it("ranks the biggest outflow in a period", () => {
    expect(biggestOutflow(db, { from: T, to: T + 3 * DAY, limit: 2 }).map((o) => [o.code, o.outflow, o.inflow])).toEqual([
      ["A", 10, 10],
      ["B", 2, 3],
    ]);
    expect(dailyOutflow(db, { eshopId: 1, code: "A", from: T, to: T + 5 * DAY })).toEqual([
      { day: T, outflow: 0 },
      { day: T + DAY, outflow: 10 },
      { day: T + 3 * DAY, outflow: 0 },
    ]);
  });

  it("lists level changes in order with their cause", () => {
    expect(levelChanges(db, { from: T + DAY, to: T + 2 * DAY }).map((c) => [c.code, c.fromLevel, c.toLevel, c.cause])).toEqual([
      ["A", "ok", "soldOut", "stock:movement"],
      ["B", "ok", "low", "stock:movement"],
    ]);
  });

  it("serves digest queries from indexes on 20,000 products and 100,000 movements", () => {
    const insertP = db.prepare(
      "INSERT INTO stock_products (eshop_id, code, name, quantity_milli, level, level_since, updated_at) VALUES (2, ?, ?, ?, ?, ?, ?)",
    );
    const insertM = db.prepare(
      "INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, change_time, applied_at) VALUES (2, 1, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insertP.run(`P${i}`, `P ${i}`, i % 7, i % 7 === 0 ? "soldOut" : "ok", T, T);
      for (let i = 0; i < 100_000; i++) insertM.run(i + 1, `P${i % 20_000}`, -((i % 5) + 1) * 1000, T + (i % 30) * DAY / 3, T);
    })();
    const top = biggestOutflow(db, { from: T, to: T + DAY, eshopId: 2, limit: 10 });
    const soldOut = soldOutNow(db, 2);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM stock_products WHERE level = 'soldOut' AND eshop_id = 2").all() as { detail: string }[];
    expect(top).toHaveLength(10);
    expect(soldOut.length).toBe(Math.ceil(20_000 / 7));
    expect(plan.map((p) => p.detail).join(" ")).toMatch(/USING INDEX stock_products_by_level/);
    // The period query searches by time, whichever time index the schema offers, never a full scan.
    const outflowPlan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT m.code FROM stock_movements m
          WHERE m.change_time >= 1 AND m.change_time < 2 AND +m.eshop_id = 2`,
      )
      .all() as { detail: string }[];
    expect(outflowPlan.map((p) => p.detail).join(" ")).toMatch(/SEARCH m USING (COVERING )?INDEX \w+ \(change_time>\? AND change_time<\?\)/);
  });
});
