import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertStore, NewEventAlert, NewStockAlert } from "../../src/rules/alert-store.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";
import { newStockAlert } from "./alert-fixtures.js";

const T = Date.parse("2026-11-27T06:00:00Z");

function stock(over: Partial<NewStockAlert> = {}): NewStockAlert {
  return newStockAlert(T, { rule: "coffee-low", checksum: "c1", values: { quantity: 2 }, ...over });
}

function event(over: Partial<NewEventAlert> = {}): NewEventAlert {
  return { rule: "big-order", checksum: "e1", eshopId: 1, subject: "o-1", severity: "info", eventId: 7, values: { code: "o-1" }, now: T, ...over };
}

/** What every AlertStore does (alerts, event-rule cooldowns, applied rule versions). */
export function alertStoreContract(name: string, open: OpenStore<AlertStore>): void {
  describe(`AlertStore contract (${name})`, () => {
    let opened: OpenedStore<AlertStore>;
    let alerts: AlertStore;
    beforeEach(async () => {
      opened = await open();
      alerts = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("opens a stock alert once per rule and subject, and finds it by subject", async () => {
      const id = await alerts.openStock(stock());
      await expect((async () => alerts.openStock(stock({ now: T + 1 })))()).rejects.toThrow(/already open/);
      await alerts.openStock(stock({ rule: "coffee-out", subject: "KAV-1" }));
      const found = await alerts.openForSubject(1, "KAV-1");
      expect(found.map((a) => [a.rule, a.checksum, a.openedAt, a.reminders, a.suppressed, a.acknowledged, a.snoozedUntil])).toEqual([
        ["coffee-low", "c1", T, 0, false, null, null],
        ["coffee-out", "c1", T, 0, false, null, null],
      ]);
      expect(found[0]!.id).toBe(id);
      expect(await alerts.openForSubject(2, "KAV-1")).toEqual([]);
      expect(await alerts.openForSubject(1, "KAV-2")).toEqual([]);
    });

    it("updates and resolves only open alerts; a resolved subject may open again", async () => {
      const id = await alerts.openStock(stock());
      await alerts.update(id, { openedAt: T, lastNotifiedAt: T + 10, reminders: 1, suppressed: true }, { quantity: 1 }, T + 10);
      let [row] = await alerts.allOpen();
      expect([row!.lastNotifiedAt, row!.reminders, row!.suppressed, row!.lastValues, row!.kind]).toEqual([T + 10, 1, true, { quantity: 1 }, "stock"]);
      await alerts.resolve(id, T + 20, "condition");
      expect(await alerts.allOpen()).toEqual([]);
      let [view] = await alerts.list({ limit: 10 });
      expect([view!.state, view!.resolvedAt, view!.resolvedReason, view!.lastValues]).toEqual([
        "resolved",
        new Date(T + 20).toISOString(),
        "condition",
        { quantity: 1 },
      ]);
      // Neither touches a resolved alert.
      await alerts.update(id, { openedAt: T, lastNotifiedAt: T + 30, reminders: 5, suppressed: false }, { quantity: 9 }, T + 30);
      await alerts.resolve(id, T + 40, "rule-removed", { quantity: 9 });
      [view] = await alerts.list({ limit: 10 });
      expect([view!.reminders, view!.resolvedReason, view!.lastValues, view!.resolvedAt]).toEqual([1, "condition", { quantity: 1 }, new Date(T + 20).toISOString()]);
      const again = await alerts.openStock(stock({ now: T + 50 }));
      expect(again).not.toBe(id);
      [row] = await alerts.allOpen();
      expect(row!.id).toBe(again);
      // Values given to resolve replace the last values.
      await alerts.resolve(again, T + 60, "rule-changed", { quantity: 3 });
      expect((await alerts.list({ limit: 1 }))[0]!.lastValues).toEqual({ quantity: 3 });
    });

    it("records an event alert once per rule and event, resolved as it opens", async () => {
      const id = await alerts.recordEventAlert(event());
      expect(id).not.toBeNull();
      expect(await alerts.recordEventAlert(event({ now: T + 1 }))).toBeNull();
      expect(await alerts.recordEventAlert(event({ rule: "other" }))).not.toBeNull();
      expect(await alerts.recordEventAlert(event({ eventId: 8 }))).not.toBeNull();
      expect(await alerts.allOpen()).toEqual([]);
      const [first] = (await alerts.list({ limit: 10 })).filter((a) => a.id === id);
      expect(first).toMatchObject({
        kind: "event",
        state: "resolved",
        resolvedReason: "event",
        eventId: 7,
        openedAt: new Date(T).toISOString(),
        resolvedAt: new Date(T).toISOString(),
        lastNotifiedAt: new Date(T).toISOString(),
        lastValues: { code: "o-1" },
      });
    });

    it("walks open alerts in id order, in pages", async () => {
      const ids: number[] = [];
      for (const subject of ["A", "B", "C", "D", "E"]) ids.push(await alerts.openStock(stock({ subject })));
      await alerts.resolve(ids[2]!, T + 1, "condition");
      expect((await alerts.allOpen()).map((a) => a.subject)).toEqual(["A", "B", "D", "E"]);
      expect((await alerts.openPage(0, 2)).map((a) => a.subject)).toEqual(["A", "B"]);
      expect((await alerts.openPage(ids[1]!, 2)).map((a) => a.subject)).toEqual(["D", "E"]);
      expect(await alerts.openPage(ids[4]!, 2)).toEqual([]);
    });

    it("lists newest first, filtered and paged, at most 1,000 and at least one", async () => {
      await alerts.openStock(stock({ subject: "A" }));
      await alerts.openStock(stock({ subject: "B", eshopId: 2 }));
      const c = await alerts.openStock(stock({ subject: "C", rule: "other" }));
      await alerts.resolve(c, T + 1, "condition");
      expect((await alerts.list({ limit: 10 })).map((a) => a.subject)).toEqual(["C", "B", "A"]);
      expect((await alerts.list({ state: "open", limit: 10 })).map((a) => a.subject)).toEqual(["B", "A"]);
      expect((await alerts.list({ state: "resolved", limit: 10 })).map((a) => a.subject)).toEqual(["C"]);
      expect((await alerts.list({ rule: "other", limit: 10 })).map((a) => a.subject)).toEqual(["C"]);
      expect((await alerts.list({ eshopId: 2, limit: 10 })).map((a) => a.subject)).toEqual(["B"]);
      const page = await alerts.list({ limit: 2 });
      expect((await alerts.list({ limit: 2, before: page[1]!.id })).map((a) => a.subject)).toEqual(["A"]);
      expect((await alerts.list({ limit: 0 })).map((a) => a.subject)).toEqual(["C"]);
      const [b] = await alerts.list({ eshopId: 2, limit: 1 });
      expect(b).toMatchObject({
        rule: "coffee-low",
        kind: "stock",
        severity: "warning",
        state: "open",
        resolvedAt: null,
        resolvedReason: null,
        suppressed: false,
        eventId: null,
        acknowledgedBy: null,
        acknowledgedById: null,
        acknowledgedAt: null,
        snoozedUntil: null,
        silencedBy: null,
      });
    });

    it("keeps an event rule's cooldown per checksum; a new version forgets other checksums", async () => {
      expect(await alerts.lastFiredAt("r", "c1", 1, "s")).toBeNull();
      await alerts.markFired("r", "c1", 1, "s", T);
      await alerts.markHeld("r", 1, "s");
      expect(await alerts.lastFiredAt("r", "c1", 1, "s")).toBe(T);
      expect(await alerts.lastFiredAt("r", "c2", 1, "s")).toBeNull();
      expect(await alerts.lastFiredAt("r", "c1", 2, "s")).toBeNull();
      await alerts.markFired("r", "c1", 1, "s", T + 5);
      expect(await alerts.lastFiredAt("r", "c1", 1, "s")).toBe(T + 5);
      await alerts.setVersion("r", "c1", T);
      expect(await alerts.lastFiredAt("r", "c1", 1, "s")).toBe(T + 5);
      await alerts.setVersion("r", "c2", T + 1);
      expect(await alerts.lastFiredAt("r", "c1", 1, "s")).toBeNull();
      await alerts.markFired("r", "c2", 1, "s", T + 6);
      await alerts.removeVersion("r");
      expect(await alerts.lastFiredAt("r", "c2", 1, "s")).toBeNull();
    });

    it("remembers the applied rule versions", async () => {
      expect(await alerts.appliedVersions()).toEqual(new Map());
      await alerts.setVersion("a", "1", T);
      await alerts.setVersion("b", "2", T);
      await alerts.setVersion("a", "3", T + 1);
      expect(await alerts.appliedVersions()).toEqual(new Map([["a", "3"], ["b", "2"]]));
      await alerts.removeVersion("b");
      await alerts.removeVersion("nope");
      expect(await alerts.appliedVersions()).toEqual(new Map([["a", "3"]]));
    });
  });
}
