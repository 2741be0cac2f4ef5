import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import type { IncomingEvent } from "../../src/events/event-store.js";
import { createSupersededFilter, supersedingEvents } from "../../src/recovery/superseded-events.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";

const ESHOP = 222651;
const T = Date.parse("2026-12-05T07:00:00Z");

describe("which newer events make a recovered one stale", () => {
  it("any beta level event for a beta one, the same type for other stock events, none for the rest", () => {
    expect(supersedingEvents("stock:soldOut")).toEqual(["stock:soldOut", "stock:inStock", "stock:minStockSupplyReached"]);
    expect(supersedingEvents("stock:movement")).toEqual(["stock:movement"]);
    expect(supersedingEvents("order:cancel")).toBeNull();
  });
});

describe("the event rules' filter", () => {
  function setup(rows: (IncomingEvent & { recovered?: boolean })[]) {
    const db = openDatabase(":memory:");
    const repo = new SqliteEventStore(db);
    const ids = repo.insertBatch(rows.map((r) => (r.recovered ? { ...r, source: "recovered" as const } : r))).map((r) => r.id);
    const feed = db
      .prepare("SELECT id, eshop_id AS eshopId, event, event_instance AS eventInstance, event_created_ms AS eventCreatedMs FROM events ORDER BY id")
      .all() as { id: number; eshopId: number; event: string; eventInstance: string; eventCreatedMs: number | null }[];
    return { feed, ids, filter: createSupersededFilter(db) };
  }
  const live = (event: string, instance: string, at: number) => webhookEvent(ESHOP, event, instance, at);
  const recovered = (event: string, instance: string, at: number) => ({ ...webhookEvent(ESHOP, event, instance, at), recovered: true });

  it("drops a recovered stock event when a newer one of the same subject is stored, and only that", () => {
    const { feed, ids, filter } = setup([
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

  it("returns the batch as it is when it holds no recovered stock event", () => {
    const { feed, filter } = setup([live("stock:soldOut", "KAV-1", T + 1000), live("stock:soldOut", "KAV-1", T)]);
    expect(filter(feed)).toBe(feed);
  });
});
