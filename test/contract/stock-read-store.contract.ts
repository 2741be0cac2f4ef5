import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventStore } from "../../src/events/event-store.js";
import type { Movement } from "../../src/shoptet/shoptet-types.js";
import { applyMovement } from "../../src/stock/observations.js";
import type { StockReadStore } from "../../src/stock/stock-read-store.js";
import { blankState, cloneState } from "../../src/stock/stock-state.js";
import type { StockStore } from "../../src/stock/stock-store.js";
import { StockWriter } from "../../src/stock/stock-writer.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/** The stock stores of one database, and its EventStore (for what they look up among the events). */
export interface StockStores {
  stock: StockStore;
  reads: StockReadStore;
  events: EventStore;
}

const DAY = 86_400_000;
const T = Date.parse("2026-03-02T00:00:00Z");

/**
 * Applies a movement of e-shop 1, warehouse 1 at `at` the way the movement reader does (through
 * StockWriter, which writes through the StockStore).
 */
export function mover(stock: StockStore): (code: string, change: number, at: number, min?: number | null) => void {
  const writer = new StockWriter(stock, () => {});
  let nextId = 1;
  return (code, change, at, min = 2) => {
    stock.transaction(() => {
      const previous = stock.getProduct(1, code);
      const next = previous ? cloneState(previous) : blankState(1, code, at);
      next.minMilli = min === null ? null : min * 1000;
      next.name = `Name of ${code}`;
      const q = (previous?.quantityMilli ?? 0) + change * 1000;
      const m: Movement = { id: nextId++, productCode: code, actualAmountMilli: q, amountChangeMilli: change * 1000, sumAmountMilli: q, changedBy: null, changeTime: at, productGuid: null };
      stock.insertMovement(1, 1, m, at);
      applyMovement(next, 1, m);
      writer.commit([{ previous, next }], { event: "stock:movement", eventId: null }, at, true);
    });
  };
}

/** What every StockReadStore does (its data written through the StockStore of the same database). */
export function stockReadStoreContract(name: string, open: OpenStore<StockStores>): void {
  describe(`StockReadStore contract (${name})`, () => {
    let opened: OpenedStore<StockStores>;
    let reads: StockReadStore;
    beforeEach(async () => {
      opened = await open();
      reads = opened.store.reads;
      const move = mover(opened.store.stock);
      move("A", 10, T); // ok
      move("A", -10, T + DAY); // sold out
      move("A", 5, T + 3 * DAY); // back (ok), out for 2 days
      move("B", 3, T); // ok
      move("B", -2, T + DAY); // low
      move("C", 1, T);
      move("C", -1, T + 2 * DAY); // sold out, stays
    });
    afterEach(async () => {
      await opened.close();
    });

    it("lists products by level, with per-warehouse amounts and since-when", async () => {
      expect(await reads.countByLevel()).toEqual({ soldOut: 1, low: 1, ok: 1 });
      expect(await reads.countByLevel(1)).toEqual({ soldOut: 1, low: 1, ok: 1 });
      expect(await reads.countByLevel(2)).toEqual({ soldOut: 0, low: 0, ok: 0 });
      expect(await reads.listProducts({ level: "ok" })).toEqual([
        expect.objectContaining({ code: "A", quantity: 5, minStockSupply: 2, perStock: { "1": 5 }, levelSince: new Date(T + 3 * DAY).toISOString() }),
      ]);
      expect((await reads.soldOutNow()).map((p) => [p.code, p.sinceMs])).toEqual([["C", T + 2 * DAY]]);
      expect((await reads.lowNow()).map((p) => [p.code, p.quantity, p.sinceMs])).toEqual([["B", 1, T + DAY]]);
      expect((await reads.lowNow(2)).map((p) => p.code)).toEqual([]);
      expect((await reads.listProducts({ codePrefix: "B" })).map((p) => p.code)).toEqual(["B"]);
      expect((await reads.listProducts({ limit: 2, offset: 1 })).map((p) => p.code)).toEqual(["B", "C"]);
      expect(await reads.getProduct(1, "B")).toMatchObject({ eshopId: 1, code: "B", name: "Name of B", quantity: 1, level: "low", estimated: false });
      expect(await reads.getProduct(1, "Z")).toBeNull();
    });

    it("finds products back in stock in a period with how long they were out", async () => {
      expect(await reads.backInStock({ from: T + 2 * DAY, to: T + 4 * DAY })).toEqual([
        { eshopId: 1, code: "A", name: "Name of A", at: T + 3 * DAY, soldOutAt: T + DAY, outForMs: 2 * DAY, quantity: 5, levelNow: "ok" },
      ]);
      expect(await reads.backInStock({ from: T + 4 * DAY, to: T + 5 * DAY })).toEqual([]);
      // Other level changes in the period (B ok → low, A and C ok → sold out) are not a return.
      expect((await reads.backInStock({ from: T, to: T + 5 * DAY })).map((p) => p.code)).toEqual(["A"]);
      expect(await reads.backInStock({ from: T + 2 * DAY, to: T + 4 * DAY, eshopId: 2 })).toEqual([]);
    });

    it("ranks the biggest outflow in a period", async () => {
      expect((await reads.biggestOutflow({ from: T, to: T + 3 * DAY, limit: 2 })).map((o) => [o.code, o.outflow, o.inflow])).toEqual([
        ["A", 10, 10],
        ["B", 2, 3],
      ]);
      expect(await reads.dailyOutflow({ eshopId: 1, code: "A", from: T, to: T + 5 * DAY })).toEqual([
        { day: T, outflow: 0 },
        { day: T + DAY, outflow: 10 },
        { day: T + 3 * DAY, outflow: 0 },
      ]);
    });

    it("lists level changes in order with their cause", async () => {
      expect((await reads.levelChanges({ from: T + DAY, to: T + 2 * DAY })).map((c) => [c.code, c.fromLevel, c.toLevel, c.cause])).toEqual([
        ["A", "ok", "soldOut", "stock:movement"],
        ["B", "ok", "low", "stock:movement"],
      ]);
    });

    it("names every e-shop that stored events or products name, once", async () => {
      await opened.store.events.insertBatch([webhookEvent(5, "order:create", "O-1", T), webhookEvent(1, "order:create", "O-2", T)]);
      expect([...(await reads.knownEshops())].sort((a, b) => a - b)).toEqual([1, 5]);
    });
  });
}
