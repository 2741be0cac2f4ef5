import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AlertStore } from "../../src/rules/alert-store.js";
import type { NewSilence, SilenceStore } from "../../src/silences/silence-store.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";
import { newStockAlert } from "./alert-fixtures.js";

/** The silence store, and the alert store of the same database (silences mark alerts). */
export interface SilenceStores {
  silences: SilenceStore;
  alerts: AlertStore;
}

const T = Date.parse("2026-11-27T06:00:00Z");
const H = 3_600_000;

function silence(over: Partial<NewSilence> = {}): NewSilence {
  return { products: ["KAV-*"], rule: null, eshopId: null, reason: "stock-taking", createdBy: "test", createdAt: T, endsAt: T + H, ...over };
}

/** What every SilenceStore does. */
export function silenceStoreContract(name: string, open: OpenStore<SilenceStores>): void {
  describe(`SilenceStore contract (${name})`, () => {
    let opened: OpenedStore<SilenceStores>;
    let silences: SilenceStore;
    let alerts: AlertStore;
    beforeEach(async () => {
      opened = await open();
      ({ silences, alerts } = opened.store);
    });
    afterEach(async () => {
      await opened.close();
    });

    const openAlert = (subject: string) => alerts.openStock(newStockAlert(T, { subject, values: { quantity: 1 } }));

    it("adds silences and reads them back", async () => {
      const added = await silences.add(silence({ products: ["KAV-*", "!KAV-TEST*"], rule: "low", eshopId: 2 }));
      expect(added).toEqual({
        id: added.id,
        products: ["KAV-*", "!KAV-TEST*"],
        rule: "low",
        eshopId: 2,
        reason: "stock-taking",
        createdBy: "test",
        createdAt: T,
        endsAt: T + H,
        expiredAt: null,
      });
      expect(await silences.get(added.id)).toEqual(added);
      expect(await silences.get(added.id + 100)).toBeUndefined();
    });

    it("lists the active silences soonest end first, and the recent ones newest first", async () => {
      const long = await silences.add(silence({ endsAt: T + 3 * H }));
      const short = await silences.add(silence({ endsAt: T + H }));
      const over = await silences.add(silence({ endsAt: T - 1 }));
      expect((await silences.active(T)).map((s) => s.id)).toEqual([short.id, long.id]);
      // Its end is exclusive.
      expect((await silences.active(T + H)).map((s) => s.id)).toEqual([long.id]);
      expect((await silences.recent(10)).map((s) => s.id)).toEqual([over.id, short.id, long.id]);
      expect((await silences.recent(2)).map((s) => s.id)).toEqual([over.id, short.id]);
    });

    it("expires a running silence once; an over or unknown one says so", async () => {
      const s = await silences.add(silence());
      const over = await silences.add(silence({ endsAt: T - 1 }));
      expect(await silences.expire(s.id, T + 10)).toBe("expired");
      expect((await silences.get(s.id))!.expiredAt).toBe(T + 10);
      expect(await silences.active(T + 10)).toEqual([]);
      expect(await silences.expire(s.id, T + 20)).toBe("over");
      expect((await silences.get(s.id))!.expiredAt).toBe(T + 10);
      expect(await silences.expire(over.id, T)).toBe("over");
      expect(await silences.expire(999, T)).toBe("unknown");
    });

    it("changes its version when a silence is added or expired through it", async () => {
      const v0 = await silences.version();
      expect(await silences.version()).toBe(v0);
      const s = await silences.add(silence());
      const v1 = await silences.version();
      expect(v1).not.toBe(v0);
      expect(await silences.expire(s.id, T)).toBe("expired");
      const v2 = await silences.version();
      expect(v2).not.toBe(v1);
      // Nothing changed: neither did the version.
      expect(await silences.expire(s.id, T)).toBe("over");
      expect(await silences.version()).toBe(v2);
    });

    it("holds an open alert's open message until it is released, once", async () => {
      const s = await silences.add(silence());
      const a = await openAlert("KAV-1");
      const b = await openAlert("KAV-2");
      const c = await openAlert("KAV-3");
      expect(await silences.isPending(a)).toBe(false);
      await silences.holdOpen(a, s.id);
      await silences.holdOpen(c, s.id);
      await silences.noteSilenced(b, s.id);
      expect(await silences.isPending(a)).toBe(true);
      expect(await silences.isPending(b)).toBe(false);
      expect((await alerts.list({ limit: 10 })).map((x) => [x.subject, x.silencedBy])).toEqual([
        ["KAV-3", s.id],
        ["KAV-2", s.id],
        ["KAV-1", s.id],
      ]);
      const page = await silences.pendingPage(0, 10);
      expect(page).toEqual([
        { id: a, rule: "low", checksum: "c", kind: "stock", eshopId: 1, subject: "KAV-1", suppressed: false, lastValues: { quantity: 1 } },
        { id: c, rule: "low", checksum: "c", kind: "stock", eshopId: 1, subject: "KAV-3", suppressed: false, lastValues: { quantity: 1 } },
      ]);
      expect((await silences.pendingPage(a, 10)).map((p) => p.id)).toEqual([c]);
      expect((await silences.pendingPage(0, 1)).map((p) => p.id)).toEqual([a]);

      expect(await silences.release(a, T + 5)).toBe(true);
      expect(await silences.release(a, T + 6)).toBe(false);
      expect(await silences.isPending(a)).toBe(false);
      expect((await alerts.allOpen()).find((x) => x.id === a)!.lastNotifiedAt).toBe(T + 5);
      // A resolved alert is not pending any more and cannot be released.
      await alerts.resolve(c, T + 7, "condition");
      expect(await silences.pendingPage(0, 10)).toEqual([]);
      expect(await silences.release(c, T + 8)).toBe(false);
    });

    it("holds nothing owed for an event alert, but names the silence", async () => {
      const s = await silences.add(silence());
      const id = (await alerts.recordEventAlert({ rule: "e", checksum: "c", eshopId: 1, subject: "o", severity: "info", eventId: 1, values: {}, now: T }))!;
      await silences.holdOpen(id, s.id);
      expect(await silences.isPending(id)).toBe(false);
      expect((await alerts.list({ limit: 1 }))[0]!.silencedBy).toBe(s.id);
    });
  });
}
