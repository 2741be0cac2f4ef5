import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventStore } from "../../src/events/event-store.js";
import type { HistoryStore } from "../../src/rules/history-store.js";
import { incoming } from "./event-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const T = Date.parse("2026-11-27T06:00:00Z");
const H = 3_600_000;

/** The history store, the event store of the same database, and how the implementation records stock history. */
export interface HistoryStores {
  history: HistoryStore;
  events: EventStore;
  seed: {
    /** A product first seen at `at` with this quantity (e-shop 1, warehouse 1). */
    product(code: string, quantity: number, at: number, min?: number): void | Promise<void>;
    /** A stock change of `delta` units at `at`. */
    move(code: string, delta: number, at: number): void | Promise<void>;
  };
}

/** What every HistoryStore does. */
export function historyStoreContract(name: string, open: OpenStore<HistoryStores>): void {
  describe(`HistoryStore contract (${name})`, () => {
    let opened: OpenedStore<HistoryStores>;
    let s: HistoryStores;
    beforeEach(async () => {
      opened = await open();
      s = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("reads the events of a time range in time order, and counts them", async () => {
      await s.events.insertBatch([incoming("order:create", "o-2", T + 2 * H), incoming("order:create", "o-1", T + H), incoming("order:create", "o-3", T + 3 * H)]);
      const read = [...(await s.history.events(T + H, T + 2 * H))];
      expect(read.map((e) => [e.event, e.eventInstance, e.receivedAt, e.eshopId])).toEqual([
        ["order:create", "o-1", T + H, 222651],
        ["order:create", "o-2", T + 2 * H, 222651],
      ]);
      expect(await s.history.countEvents(T + H, T + 2 * H)).toBe(2);
      expect(await s.history.countEvents(T, T + 10 * H)).toBe(3);
      expect(await s.history.countEvents(T + 4 * H, T + 10 * H)).toBe(0);
    });

    it("reads product names and minimums, movements and level changes of a range", async () => {
      await s.seed.product("A", 10, T, 3);
      await s.seed.move("A", -4, T + H);
      await s.seed.move("A", -5, T + 2 * H); // low
      await s.seed.move("A", -1, T + 3 * H); // sold out
      expect([...(await s.history.productMeta())]).toEqual([[1, "A", expect.any(String), 3000]]);
      const moves = [...(await s.history.movements(T + H, T + 2 * H))];
      expect(moves.map((m) => [m[0], m[2], m[5]])).toEqual([
        [T + H, "A", 6000],
        [T + 2 * H, "A", 1000],
      ]);
      const levels = [...(await s.history.levelChanges(T + H, T + 3 * H))];
      expect(levels.map((l) => [l[0], l[2], l[3], l[4]])).toEqual([
        [T + 2 * H, "A", 1000, "low"],
        [T + 3 * H, "A", 0, "soldOut"],
      ]);
    });

    it("reads the last movement and level change before a time", async () => {
      await s.seed.product("A", 10, T, 3);
      await s.seed.move("A", -4, T + H);
      await s.seed.move("A", -5, T + 2 * H);
      await s.seed.move("A", 2, T + 3 * H);
      const lastMove = [...(await s.history.lastMovementsBefore(T + 3 * H))];
      expect(lastMove.map((m) => [m[0], m[1], m[4], m[5]])).toEqual([[1, "A", 1000, T + 2 * H]]);
      const lastLevel = [...(await s.history.lastLevelsBefore(T + 3 * H))];
      expect(lastLevel.map((l) => [l[0], l[1], l[2], l[3], l[4]])).toEqual([[1, "A", 1000, "low", T + 2 * H]]);
      expect([...(await s.history.lastMovementsBefore(T))]).toEqual([]);
    });
  });
}
