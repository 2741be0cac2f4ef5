import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventStore, IncomingEvent } from "../../src/events/event-store.js";
import type { RecoveryStore } from "../../src/recovery/recovery-store.js";
import { createSupersededFilter } from "../../src/recovery/superseded-events.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/** A RecoveryStore and the EventStore of the same database (recovery looks things up in the events). */
export interface RecoveryStores {
  recovery: RecoveryStore;
  events: EventStore;
}

const ESHOP = 222651;
const T = Date.parse("2026-12-05T07:00:00Z");

/** What every RecoveryStore does. */
export function recoveryStoreContract(name: string, open: OpenStore<RecoveryStores>): void {
  describe(`RecoveryStore contract (${name})`, () => {
    let opened: OpenedStore<RecoveryStores>;
    let recovery: RecoveryStore;
    let events: EventStore;
    beforeEach(async () => {
      opened = await open();
      ({ recovery, events } = opened.store);
    });
    afterEach(async () => {
      await opened.close();
    });

    it("keeps one cursor per e-shop that never moves back", async () => {
      expect(await recovery.cursor(1)).toBeNull();
      await recovery.saveCursor(1, T, T + 5, 3);
      await recovery.saveCursor(2, T + 100, T + 5, 0);
      await recovery.saveCursor(1, T - 1000, T + 10, 1);
      expect(await recovery.cursor(1)).toBe(T);
      await recovery.saveCursor(1, T + 2000, T + 20, 0);
      expect(await recovery.cursor(1)).toBe(T + 2000);
      expect(await recovery.cursor(2)).toBe(T + 100);
    });

    it("adds recovered events per type, in a transaction, skipping zeros", async () => {
      await recovery.transaction(() => recovery.countRecovered(new Map([["order:create", 2], ["stock:soldOut", 0]])));
      await recovery.countRecovered(new Map([["order:create", 1], ["invoice:create", 4]]));
      expect(await recovery.counts()).toEqual([
        { event: "invoice:create", n: 4 },
        { event: "order:create", n: 3 },
      ]);
    });

    it("rolls back a transaction that throws", async () => {
      expect(() => recovery.transaction(() => {
        recovery.countRecovered(new Map([["order:create", 2]]));
        throw new Error("boom");
      })).toThrow("boom");
      expect(await recovery.counts()).toEqual([]);
    });

    it("knows stored dedupe keys and the e-shops that events or cursors name", async () => {
      const a = webhookEvent(7, "order:create", "O-1", T);
      await events.insertBatch([a, webhookEvent(3, "order:create", "O-2", T), webhookEvent(7, "order:create", "O-3", T)]);
      await recovery.saveCursor(11, T, T, 0);
      expect(await recovery.has(a.dedupeKey)).toBe(true);
      expect(await recovery.has(webhookEvent(7, "order:create", "O-9", T).dedupeKey)).toBe(false);
      expect([...(await recovery.knownEshops())].sort((x, y) => x - y)).toEqual([3, 7, 11]);
    });

    describe("the event rules' filter of superseded recovered events", () => {
      async function setup(rows: (IncomingEvent & { recovered?: boolean })[]) {
        const ids = (await events.insertBatch(rows.map((r) => (r.recovered ? { ...r, source: "recovered" as const } : r)))).map((r) => r.id);
        const feed = rows.map((r, i) => ({ id: ids[i]!, eshopId: r.eshopId, event: r.event, eventInstance: r.eventInstance, eventCreatedMs: r.eventCreatedMs }));
        return { feed, ids, filter: createSupersededFilter(recovery) };
      }
      const live = (event: string, instance: string, at: number) => webhookEvent(ESHOP, event, instance, at);
      const recovered = (event: string, instance: string, at: number) => ({ ...webhookEvent(ESHOP, event, instance, at), recovered: true });

      it("drops a recovered stock event when a newer one of the same subject is stored, and only that", async () => {
        const { feed, ids, filter } = await setup([
          live("stock:soldOut", "KAV-1", T + 1800_000),
          recovered("stock:inStock", "KAV-1", T), // older than the live soldOut: stale
          recovered("stock:soldOut", "KAV-2", T), // nothing newer for KAV-2: news
          recovered("stock:soldOut", "KAV-2", T + 60_000), // newer still: the one sent for KAV-2 ...
          live("stock:movement", "1", T + 1800_000),
          recovered("stock:movement", "1", T), // stale
          recovered("stock:movement", "2", T), // another warehouse: news
          recovered("order:cancel", "2026000001", T), // not a stock event: news
          live("stock:soldOut", "KAV-3", T), // webhooks are never filtered
          live("stock:soldOut", "KAV-3", T + 60_000),
        ]);
        const kept = filter(feed).map((e) => ids.indexOf(e.id));
        expect(kept).toEqual([0, 3, 4, 6, 7, 8, 9]); // ... and its older twin (2) is not
      });

      it("returns the batch as it is when it holds no recovered stock event", async () => {
        const { feed, filter } = await setup([live("stock:soldOut", "KAV-1", T + 1000), live("stock:soldOut", "KAV-1", T)]);
        expect(filter(feed)).toBe(feed);
      });

      it("finds recovered ids and newer events of the same subject (created later, or at once and stored first)", async () => {
        const { ids } = await setup([
          recovered("stock:soldOut", "KAV-1", T),
          live("stock:inStock", "KAV-1", T),
          recovered("stock:minStockSupplyReached", "KAV-1", T),
        ]);
        expect([...(await recovery.recoveredAmong(ids))].sort((x, y) => x - y)).toEqual([ids[0], ids[2]]);
        const at = (i: number) => ({ id: ids[i]!, eshopId: ESHOP, eventInstance: "KAV-1", eventCreatedMs: T });
        expect(await recovery.hasNewer(at(0), ["stock:soldOut", "stock:inStock"])).toBe(false);
        expect(await recovery.hasNewer(at(2), ["stock:soldOut", "stock:inStock"])).toBe(true);
        expect(await recovery.hasNewer(at(2), ["stock:minStockSupplyReached"])).toBe(false);
        expect(await recovery.hasNewer({ ...at(0), eventCreatedMs: T - 1 }, ["stock:inStock"])).toBe(true);
        expect(await recovery.hasNewer({ ...at(0), eshopId: 1 }, ["stock:inStock", "stock:soldOut"])).toBe(false);
      });
    });
  });
}
