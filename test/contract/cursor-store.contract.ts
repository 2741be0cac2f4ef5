import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CursorStore, FeedEvent } from "../../src/events/cursor-store.js";
import type { EventStore } from "../../src/events/event-store.js";
import { incoming } from "./event-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/** A CursorStore and the EventStore whose events its feeds read, on one database. */
export interface CursorStores {
  cursors: CursorStore;
  events: EventStore;
}

async function storeEvents(events: EventStore, n: number): Promise<void> {
  await events.insertBatch(Array.from({ length: n }, (_, i) => incoming("order:create", `o-${Math.random()}-${i}`, 1000 + i)));
}

/** Drains a step function: calls it until a batch comes back short. */
async function drain(step: (limit: number) => number | Promise<number>, limit: number): Promise<void> {
  while ((await step(limit)) === limit) {
    // more may be waiting
  }
}

/** What every CursorStore does. */
export function cursorStoreContract(name: string, open: OpenStore<CursorStores>): void {
  describe(`CursorStore contract (${name})`, () => {
    let opened: OpenedStore<CursorStores>;
    let cursors: CursorStore;
    let events: EventStore;
    beforeEach(async () => {
      opened = await open();
      ({ cursors, events } = opened.store);
    });
    afterEach(async () => {
      await opened.close();
    });

    it("hands every event over once, in order, across batches and later steps of the same feed", async () => {
      await storeEvents(events, 7);
      const seen: FeedEvent[] = [];
      await drain(await cursors.feedStep("t", (e) => seen.push(...e)), 3);
      expect(seen.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(await cursors.position("t")).toBe(7);
      await storeEvents(events, 2);
      const again: FeedEvent[] = [];
      await drain(await cursors.feedStep("t", (e) => again.push(...e)), 500);
      expect(again.map((e) => e.id)).toEqual([8, 9]);
      expect(again[0]).toMatchObject({ event: "order:create", eshopId: 222651, receivedAt: 1000, eventCreatedMs: expect.any(Number) });
    });

    it("keeps one cursor per name, starting at 0", async () => {
      await storeEvents(events, 3);
      expect(await cursors.position("a")).toBe(0);
      const step = await cursors.feedStep("a", () => {});
      expect(await step(2)).toBe(2);
      expect(await step(2)).toBe(1);
      expect(await step(2)).toBe(0);
      expect(await cursors.position("a")).toBe(3);
      expect(await cursors.position("b")).toBe(0);
    });

    it("does not advance past a batch whose handler failed", async () => {
      await storeEvents(events, 2);
      let fail = true;
      const handed: number[][] = [];
      const step = await cursors.feedStep("t", (batch) => {
        handed.push(batch.map((e) => e.id));
        if (fail) throw new Error("boom");
      });
      await expect(async () => step(10)).rejects.toThrow("boom");
      expect(await cursors.position("t")).toBe(0);
      fail = false;
      expect(await step(10)).toBe(2);
      expect(handed).toEqual([
        [1, 2],
        [1, 2],
      ]);
      expect(await cursors.position("t")).toBe(2);
    });
  });
}
