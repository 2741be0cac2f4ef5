import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Movement } from "../../src/shoptet/shoptet-types.js";
import { blankState, cloneState, type ProductState } from "../../src/stock/stock-state.js";
import type { StockStore } from "../../src/stock/stock-store.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import type { StockStores } from "./stock-read-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const T = Date.parse("2026-03-02T00:00:00Z");

function product(code: string, quantity: number, perStock: [number, number][], guid: string | null = null): ProductState {
  const p = blankState(1, code, T);
  p.guid = guid;
  p.name = `Name of ${code}`;
  p.quantityMilli = quantity * 1000;
  p.quantityTime = T;
  p.level = quantity === 0 ? "soldOut" : "ok";
  for (const [stockId, amount] of perStock) p.perStock.set(stockId, { amountMilli: amount * 1000, changedAt: T });
  return p;
}

function movement(id: number, code: string): Movement {
  return { id, productCode: code, actualAmountMilli: 1000, amountChangeMilli: -1000, sumAmountMilli: 1000, changedBy: "someone", changeTime: T, productGuid: null };
}

/** What every StockStore does. */
export function stockStoreContract(name: string, open: OpenStore<StockStores>): void {
  describe(`StockStore contract (${name})`, () => {
    let opened: OpenedStore<StockStores>;
    let stock: StockStore;
    beforeEach(async () => {
      opened = await open();
      stock = opened.store.stock;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("saves a product's state and reads it back, its warehouses diffed against the previous state", async () => {
      expect(await stock.getProduct(1, "A")).toBeNull();
      const first = product("A", 5, [[1, 3], [2, 2]], "G-1");
      await stock.saveProduct(null, first);
      expect(await stock.getProduct(1, "A")).toEqual(first);
      const next = cloneState(first);
      next.perStock.delete(2);
      next.perStock.set(3, { amountMilli: 7000, changedAt: T + 1 });
      next.quantityMilli = 10_000;
      next.updatedAt = T + 1;
      await stock.saveProduct(first, next);
      expect(await stock.getProduct(1, "A")).toEqual(next);
      expect(await stock.getProduct(2, "A")).toBeNull();
    });

    it("reads many products at once, their detail state, and the codes of a GUID", async () => {
      const a = product("A/1", 1, [[1, 1]], "G-1");
      const b = product("A/2", 0, [], "G-1");
      const c = product("C", 2, [[1, 2]]);
      c.minCheckedAt = T + 5;
      for (const p of [a, b, c]) await stock.saveProduct(null, p);
      const many = await stock.getProducts(1, ["A/1", "C", "missing"]);
      expect([...many.keys()].sort()).toEqual(["A/1", "C"]);
      expect(many.get("A/1")).toEqual(a);
      expect(many.get("C")).toEqual(c);
      expect((await stock.getProducts(1, [])).size).toBe(0);
      expect(await stock.detailState(1, ["A/1", "C", "missing"])).toEqual(
        new Map([
          ["A/1", { guid: "G-1", checkedAt: null }],
          ["C", { guid: null, checkedAt: T + 5 }],
        ]),
      );
      expect(await stock.codesOfGuid(1, "G-1")).toEqual(["A/1", "A/2"]);
      expect(await stock.codesOfGuid(2, "G-1")).toEqual([]);
    });

    it("records a movement once per e-shop, warehouse and id", async () => {
      expect(await stock.insertMovement(1, 1, movement(10, "A"), T)).toBe(true);
      expect(await stock.insertMovement(1, 1, movement(10, "A"), T + 1)).toBe(false);
      expect(await stock.insertMovement(1, 2, movement(10, "A"), T)).toBe(true);
      expect(await stock.insertMovement(2, 1, movement(10, "A"), T)).toBe(true);
    });

    it("moves a warehouse's cursor forward only, counting reads", async () => {
      expect(await stock.getCursor(1, 1)).toBeNull();
      await stock.advanceCursor(1, 1, 50, T, true);
      expect(await stock.getCursor(1, 1)).toEqual({ lastId: 50, reads: 1, lastReadAt: T });
      await stock.advanceCursor(1, 1, 40, T + 1, false);
      expect(await stock.getCursor(1, 1)).toEqual({ lastId: 50, reads: 1, lastReadAt: T });
      await stock.advanceCursor(1, 1, 60, T + 2, true);
      expect(await stock.getCursor(1, 1)).toEqual({ lastId: 60, reads: 2, lastReadAt: T + 2 });
      expect(await stock.getCursor(1, 2)).toBeNull();
    });

    it("records level changes for the read side", async () => {
      await stock.recordLevelChange({ eshopId: 1, code: "A", fromLevel: "ok", toLevel: "soldOut", fromQuantityMilli: 1000, quantityMilli: 0, at: T, cause: { event: "stock:soldOut", eventId: null } });
      expect(await opened.store.reads.levelChanges({ from: T, to: T + 1 })).toEqual([
        { eshopId: 1, code: "A", fromLevel: "ok", toLevel: "soldOut", quantity: 0, at: T, cause: "stock:soldOut" },
      ]);
    });

    it("keeps nothing of a transaction that throws", async () => {
      expect(() =>
        stock.transaction(() => {
          stock.saveProduct(null, product("A", 1, [[1, 1]]));
          stock.advanceCursor(1, 1, 5, T, true);
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(await stock.getProduct(1, "A")).toBeNull();
      expect(await stock.getCursor(1, 1)).toBeNull();
      expect(await stock.transaction(() => 42)).toBe(42);
    });

    it("finds the newest stored beta event of a code, by Shoptet's time, and a warehouse's first movement webhook", async () => {
      const events = opened.store.events;
      expect(await stock.newestBetaEvent(1, "KAV-1")).toBeNull();
      expect(await stock.firstMovementWebhook(1, 7)).toEqual({ createdMs: null, receivedMs: null });
      const ids = (
        await events.insertBatch([
          webhookEvent(1, "stock:inStock", "KAV-1", T + 60_000, T + 100_000),
          webhookEvent(1, "stock:soldOut", "KAV-1", T, T + 200_000), // older by Shoptet's time, received later
          webhookEvent(1, "stock:movement", "KAV-1", T + 90_000), // not a beta event
          webhookEvent(2, "stock:soldOut", "KAV-1", T + 120_000), // another e-shop
          webhookEvent(1, "stock:movement", "7", T + 5_000, T + 9_000),
          webhookEvent(1, "stock:movement", "7", T + 3_000, T + 10_000),
        ])
      ).map((r) => r.id);
      expect(await stock.newestBetaEvent(1, "KAV-1")).toEqual({ id: ids[0], event: "stock:inStock", eventCreatedMs: T + 60_000 });
      expect(await stock.firstMovementWebhook(1, 7)).toEqual({ createdMs: T + 3_000, receivedMs: T + 9_000 });
      expect(await stock.firstMovementWebhook(2, 7)).toEqual({ createdMs: null, receivedMs: null });
    });
  });
}
