import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ForecastStore } from "../../src/forecast/forecast-store.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const DAY = 86_400_000;
const NOW = Date.parse("2025-11-28T09:00:00Z");
const TODAY = Math.floor(NOW / DAY);
const dayAgo = (n: number) => (TODAY - n) * DAY;

/** The forecast store, and how the implementation records what it reads (products and their movements). */
export interface ForecastStores {
  forecasts: ForecastStore;
  seed: {
    /** A product first seen at `at` with this quantity. */
    product(code: string, quantity: number, at: number): void | Promise<void>;
    /** A stock change of `delta` units at `at`, made by `changedBy` ("customer": a sale; "admin"). */
    move(code: string, delta: number, at: number, changedBy: string): void | Promise<void>;
  };
}

/** What every ForecastStore does. */
export function forecastStoreContract(name: string, open: OpenStore<ForecastStores>): void {
  describe(`ForecastStore contract (${name})`, () => {
    let opened: OpenedStore<ForecastStores>;
    let s: ForecastStores;
    beforeEach(async () => {
      opened = await open();
      s = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("reads products with their quantity, level and first-seen time", async () => {
      await s.seed.product("B", 10, dayAgo(5));
      await s.seed.product("A", 0, dayAgo(3));
      expect(await s.forecasts.product(1, "A")).toMatchObject({ quantity_milli: 0, level: "soldOut" });
      expect(await s.forecasts.product(1, "B")).toMatchObject({ quantity_milli: 10_000 });
      expect(await s.forecasts.product(1, "C")).toBeUndefined();
      expect(await s.forecasts.product(2, "A")).toBeUndefined();
      expect((await s.forecasts.products()).map((p) => [p.eshop_id, p.code])).toEqual([
        [1, "A"],
        [1, "B"],
      ]);
    });

    it("sums sales per day and source, and prunes old days", async () => {
      await s.seed.product("A", 100, dayAgo(10));
      await s.seed.move("A", -3, dayAgo(4) + 1000, "customer");
      await s.seed.move("A", -2, dayAgo(4) + 2000, "customer");
      await s.seed.move("A", -1, dayAgo(4) + 3000, "admin");
      await s.seed.move("A", -4, dayAgo(1) + 1000, "customer");
      await s.seed.move("A", 50, dayAgo(1) + 2000, "admin");
      const rows = await s.forecasts.dailySales(1, "A", TODAY - 5, TODAY);
      // [day, customer, admin, api, email, none] in thousandths.
      expect(rows.sort((a, b) => a[0]! - b[0]!)).toEqual([
        [TODAY - 4, 5000, 1000, 0, 0, 0],
        [TODAY - 1, 4000, 0, 0, 0, 0],
      ]);
      expect(await s.forecasts.dailySales(1, "A", TODAY - 3, TODAY)).toEqual([[TODAY - 1, 4000, 0, 0, 0, 0]]);
      expect(await s.forecasts.dailySales(1, "B", TODAY - 5, TODAY)).toEqual([]);
      expect(await s.forecasts.pruneDailySales(TODAY - 2)).toBe(1);
      expect(await s.forecasts.dailySales(1, "A", TODAY - 5, TODAY)).toEqual([[TODAY - 1, 4000, 0, 0, 0, 0]]);
    });

    it("reads the level changes of a window with the last one before it", async () => {
      await s.seed.product("A", 2, dayAgo(20));
      await s.seed.move("A", -2, dayAgo(15), "customer"); // sold out
      await s.seed.move("A", 5, dayAgo(8), "admin"); // back
      await s.seed.move("A", -5, dayAgo(2), "customer"); // sold out again
      const changes = await s.forecasts.levelChanges(1, "A", dayAgo(10), NOW);
      expect(changes.map((c) => [c[0], c[2]])).toEqual([
        [dayAgo(15), "soldOut"],
        [dayAgo(8), expect.not.stringMatching(/^soldOut$/)],
        [dayAgo(2), "soldOut"],
      ]);
      expect((await s.forecasts.levelChanges(1, "A", dayAgo(10), dayAgo(5))).map((c) => c[0])).toEqual([dayAgo(15), dayAgo(8)]);
    });

    it("sums each in-stock product's sales per part of a window", async () => {
      await s.seed.product("A", 100, dayAgo(30));
      await s.seed.product("Z", 0, dayAgo(30));
      await s.seed.move("A", -3, dayAgo(6) + 1000, "customer");
      await s.seed.move("A", -2, dayAgo(1) + 1000, "customer");
      await s.seed.move("A", -7, dayAgo(1) + 2000, "admin");
      const blocks = [
        { firstDay: TODAY - 9, days: 5 },
        { firstDay: TODAY - 4, days: 5 },
      ];
      const rows = await s.forecasts.blockSales(["customer"], blocks, NOW);
      expect(rows.map((r) => [r.code, r.b0, r.b1, r.sold_out_in_window])).toEqual([["A", 3000, 2000, 0]]);
      const both = await s.forecasts.blockSales(["customer", "admin"], blocks, NOW);
      expect(both.map((r) => [r.code, r.b0, r.b1])).toEqual([["A", 3000, 9000]]);
      const none = await s.forecasts.blockSales([], blocks, NOW);
      expect(none.map((r) => [r.code, r.b0, r.b1])).toEqual([["A", 0, 0]]);
    });
  });
}
