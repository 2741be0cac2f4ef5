import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DigestAlertRow, DigestReadStore, DigestRunStore, NewDigestRun } from "../../src/digest/digest-store.js";
import type { EventStore } from "../../src/events/event-store.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/**
 * The digest stores of one database. Alerts and outbox rows belong to other stores: `seed`
 * writes them the implementation's own way (the contract only reads them back).
 */
export interface DigestStores {
  runs: DigestRunStore;
  /** A DigestReadStore for these e-shops (null: all). */
  reads(eshops: readonly number[] | null): DigestReadStore;
  events: EventStore;
  seed: {
    alert(a: DigestAlertRow & { state: "open" | "resolved"; acknowledgedBy?: string }): void | Promise<void>;
    deadDelivery(d: { channel: string; kind: string; summary: string; attempts: number; lastError: string | null; at: number }): void | Promise<void>;
    /** An outbox row that is not dead. */
    sentDelivery(at: number): void | Promise<void>;
  };
}

const T = Date.parse("2026-11-27T06:00:00Z");
const H = 3_600_000;

function run(over: Partial<NewDigestRun>): NewDigestRun {
  return {
    digest: "morning",
    slot: T,
    trigger: "schedule",
    periodFrom: T - 24 * H,
    periodTo: T,
    status: "queued",
    messages: 1,
    subject: "Morning",
    error: null,
    createdAt: T,
    sentAt: null,
    ...over,
  };
}

/** What every DigestRunStore and DigestReadStore does. */
export function digestStoreContract(name: string, open: OpenStore<DigestStores>): void {
  describe(`DigestRunStore contract (${name})`, () => {
    let opened: OpenedStore<DigestStores>;
    let runs: DigestRunStore;
    beforeEach(async () => {
      opened = await open();
      runs = opened.store.runs;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("records runs and lists them newest first, per digest", async () => {
      const a = await runs.insert(run({}));
      const b = await runs.insert(run({ slot: T + 24 * H, periodFrom: T, periodTo: T + 24 * H, status: "failed", error: "boom", messages: 0 }));
      await runs.insert(run({ digest: "weekly" }));
      expect(b).toBeGreaterThan(a);
      expect(await runs.list("morning")).toEqual([
        { ...run({ slot: T + 24 * H, periodFrom: T, periodTo: T + 24 * H, status: "failed", error: "boom", messages: 0 }), id: b },
        { ...run({}), id: a },
      ]);
      expect((await runs.list("morning", 1)).map((r) => r.id)).toEqual([b]);
      expect(await runs.list("none")).toEqual([]);
    });

    it("finds successful runs only (queued or empty) by slot, period and the newest scheduled one; manual runs move no schedule", async () => {
      expect(await runs.lastScheduled("morning")).toBeNull();
      const queued = await runs.insert(run({}));
      const empty = await runs.insert(run({ slot: T + 24 * H, periodFrom: T, periodTo: T + 24 * H, status: "empty", messages: 0 }));
      await runs.insert(run({ slot: T + 48 * H, periodFrom: T + 24 * H, periodTo: T + 48 * H, status: "failed" }));
      await runs.insert(run({ slot: null, trigger: "manual", periodFrom: T + 48 * H, periodTo: T + 72 * H }));
      expect((await runs.lastScheduled("morning"))?.id).toBe(empty);
      expect((await runs.forSlot("morning", T))?.id).toBe(queued);
      expect(await runs.forSlot("morning", T + 48 * H)).toBeNull();
      expect((await runs.forPeriod("morning", T, T + 24 * H))?.id).toBe(empty);
      expect(await runs.forPeriod("morning", T + 24 * H, T + 48 * H)).toBeNull();
      expect(await runs.forPeriod("morning", T + 48 * H, T + 72 * H)).toMatchObject({ trigger: "manual", slot: null });
      expect(await runs.forSlot("weekly", T)).toBeNull();
    });

    it("knows where the oldest failed scheduled run began", async () => {
      expect(await runs.firstFailedFrom("morning")).toBeNull();
      await runs.insert(run({ slot: T + 48 * H, periodFrom: T + 24 * H, status: "failed" }));
      await runs.insert(run({ slot: T + 24 * H, periodFrom: T, status: "failed" }));
      await runs.insert(run({ slot: null, trigger: "manual", periodFrom: T - 99 * H, status: "failed" }));
      await runs.insert(run({ periodFrom: T - 50 * H }));
      expect(await runs.firstFailedFrom("morning")).toBe(T);
    });

    it("keeps when a digest was first scheduled, across changes of its schedule or time zone", async () => {
      expect(await runs.firstSeen("morning", "0 7 * * *", "Europe/Prague", T)).toBe(T);
      expect(await runs.firstSeen("morning", "0 7 * * *", "Europe/Prague", T + H)).toBe(T);
      // A changed schedule is recorded; the first sighting stays.
      expect(await runs.firstSeen("morning", "0 8 * * *", "Europe/Prague", T + 2 * H)).toBe(T);
      expect(await runs.firstSeen("morning", "0 8 * * *", "Europe/Prague", T + 3 * H)).toBe(T);
      expect(await runs.firstSeen("weekly", "0 7 * * 1", "UTC", T + 4 * H)).toBe(T + 4 * H);
    });
  });

  describe(`DigestReadStore contract (${name})`, () => {
    let opened: OpenedStore<DigestStores>;
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      await opened.close();
    });

    it("lists every stored event type and counts a type's events received in a period, per scope of e-shops", async () => {
      const { events, reads } = opened.store;
      expect(await reads(null).eventTypes()).toEqual([]);
      await events.insertBatch([
        webhookEvent(1, "order:create", "O-1", T, T),
        webhookEvent(1, "order:create", "O-2", T, T + H),
        webhookEvent(2, "order:create", "O-3", T, T + 1),
        webhookEvent(1, "stock:movement", "1", T, T + 2 * H),
      ]);
      expect(await reads(null).eventTypes()).toEqual(["order:create", "stock:movement"]);
      expect(await reads(null).eventCount("order:create", T, T + H)).toBe(2);
      expect(await reads(null).eventCount("order:create", T, T + H + 1)).toBe(3);
      expect(await reads([1]).eventCount("order:create", T, T + 2 * H)).toBe(2);
      expect(await reads([2, 3]).eventCount("order:create", T, T + 2 * H)).toBe(1);
      expect(await reads(null).eventCount("order:paid", T, T + 2 * H)).toBe(0);
    });

    it("reads alerts opened or resolved in a period, and those open now, per scope of e-shops", async () => {
      const { seed, reads } = opened.store;
      const alert = (over: Partial<DigestAlertRow>): DigestAlertRow => ({
        rule: "low",
        kind: "stock",
        severity: "warning",
        eshopId: 1,
        subject: "A",
        openedAt: T,
        resolvedAt: null,
        ...over,
      });
      await seed.alert({ ...alert({ subject: "A", openedAt: T - H, resolvedAt: T + H }), state: "resolved" });
      await seed.alert({ ...alert({ subject: "B", openedAt: T + H }), state: "open", acknowledgedBy: "eva" });
      await seed.alert({ ...alert({ subject: "C", openedAt: T - 9 * H, resolvedAt: T - 8 * H }), state: "resolved" });
      await seed.alert({ ...alert({ subject: "D", eshopId: 2, openedAt: T - 9 * H }), state: "open" });
      expect([...(await reads(null).alertsInPeriod(T, T + 2 * H))]).toEqual([
        alert({ subject: "A", openedAt: T - H, resolvedAt: T + H }),
        alert({ subject: "B", openedAt: T + H }),
      ]);
      expect([...(await reads([2]).alertsInPeriod(T, T + 2 * H))]).toEqual([]);
      const open = [...(await reads(null).openAlerts())].sort((a, b) => (a.subject < b.subject ? -1 : 1));
      expect(open).toEqual([
        { ...alert({ subject: "B", openedAt: T + H }), acknowledgedBy: "eva" },
        { ...alert({ subject: "D", eshopId: 2, openedAt: T - 9 * H }), acknowledgedBy: null },
      ]);
      expect([...(await reads([2]).openAlerts())].map((a) => a.subject)).toEqual(["D"]);
    });

    it("reads deliveries that died in a period, newest first, with their total and how many are dead now", async () => {
      const { seed, reads } = opened.store;
      const dead = (summary: string, at: number) => ({ channel: "ops", kind: "alert", summary, attempts: 8, lastError: "HTTP 500", at });
      await seed.deadDelivery(dead("old", T - 5 * H));
      await seed.deadDelivery(dead("first", T));
      await seed.deadDelivery(dead("second", T + H));
      await seed.deadDelivery(dead("third", T + H));
      await seed.sentDelivery(T + H);
      const got = await reads([7]).deadDeliveries(T, T + 2 * H, 2);
      expect(got.total).toBe(3);
      expect(got.deadNow).toBe(4);
      expect(got.rows.map((r) => r.summary)).toEqual(["third", "second"]);
      expect(got.rows[0]).toEqual({ id: expect.any(Number), channel: "ops", kind: "alert", summary: "third", attempts: 8, lastError: "HTTP 500", at: T + H });
    });
  });
}
