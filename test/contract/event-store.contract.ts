import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventStore, IncomingEvent } from "../../src/events/event-store.js";
import { toIncomingEvent } from "../../src/receiver/accepted-webhook.js";
import { envelope } from "../helpers/webhooks.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/** A stored-to-be event of `type` for e-shop `eshopId`, received at `receivedAt`. */
export function incoming(type: string, instance: string, receivedAt: number, eshopId = 222651): IncomingEvent {
  const e = envelope(type, instance, { eshopId });
  return toIncomingEvent({ raw: Buffer.from(JSON.stringify(e)), receivedAt, envelope: e });
}

/**
 * What every EventStore does. `open` gives a store on an empty database; implementations with a
 * window of recent ids for filters by type (SQLite's) should open it small (e.g. 7), so listing
 * pages cross it.
 */
export function eventStoreContract(name: string, open: OpenStore<EventStore>): void {
  describe(`EventStore contract (${name})`, () => {
    let opened: OpenedStore<EventStore>;
    let store: EventStore;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("stores a batch in order, one result per event, and a stored dedupe key again as a duplicate of the stored id", async () => {
      const a = incoming("order:create", "O-1", 1_000);
      const b = incoming("stock:movement", "1", 1_001);
      const first = await store.insertBatch([a, b]);
      expect(first.map((r) => r.duplicate)).toEqual([false, false]);
      expect(first[1]!.id).toBeGreaterThan(first[0]!.id);
      const again = await store.insertBatch([incoming("order:create", "O-2", 1_002), { ...b, receivedAt: 2_000 }]);
      expect(again[0]).toMatchObject({ duplicate: false });
      expect(again[1]).toEqual({ id: first[1]!.id, duplicate: true });
      expect(await store.count()).toBe(3);
    });

    it("lists newest first with the stored fields, and a recovered event as such", async () => {
      await store.insertBatch([incoming("order:create", "O-1", Date.parse("2026-11-27T10:00:00Z"), 7)]);
      await store.insertBatch([{ ...incoming("stock:soldOut", "KAV-1", 5_000), source: "recovered" }]);
      const [newest, oldest] = await store.list({ limit: 10 });
      expect(newest).toMatchObject({ event: "stock:soldOut", eventInstance: "KAV-1", source: "recovered", known: true });
      expect(oldest).toMatchObject({ eshopId: 7, event: "order:create", eventInstance: "O-1", source: "webhook" });
      expect(oldest!.receivedAt).toBe("2026-11-27T10:00:00.000Z");
      expect(await store.list({ limit: 10, before: newest!.id })).toEqual([oldest]);
    });

    it("pages through recent and older ids alike, with the same result as a plain filter", async () => {
      const types = ["order:create", "stock:movement", "order:create", "invoice:create", "order:create"];
      const rows = Array.from({ length: 120 }, (_, i) => {
        // order:delete is rare and only old: the index alone finds it.
        const type = i === 3 || i === 40 ? "order:delete" : types[i % types.length]!;
        return incoming(type, `I-${i}`, 1_000 + i, i % 4 === 0 ? 1 : 2);
      });
      await store.insertBatch(rows);
      const all = await store.list({ limit: 1_000 });
      expect(all).toHaveLength(120);

      for (const event of ["order:create", "stock:movement", "order:delete", "order:update"]) {
        for (const eshopId of [undefined, 1, 2]) {
          for (const limit of [1, 3, 10, 50]) {
            const expected = all.filter((e) => e.event === event && (eshopId === undefined || e.eshopId === eshopId));
            // Every page, following `before` as a client does, until the end.
            const pages: number[] = [];
            let before: number | undefined;
            for (;;) {
              const page = await store.list({ event, eshopId, before, limit });
              expect(page.length).toBeLessThanOrEqual(limit);
              pages.push(...page.map((e) => e.id));
              if (page.length < limit) break;
              before = page[page.length - 1]!.id;
            }
            expect(pages, `${event} eshop ${eshopId} limit ${limit}`).toEqual(expected.map((e) => e.id));
          }
        }
      }
    });
  });
}
