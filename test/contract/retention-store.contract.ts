import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EventStore } from "../../src/events/event-store.js";
import type { SlackThreadStore } from "../../src/notifiers/slack-thread-store.js";
import type { BatchStep, RetentionStore } from "../../src/retention/retention-store.js";
import type { AlertStore } from "../../src/rules/alert-store.js";
import type { SilenceStore } from "../../src/silences/silence-store.js";
import { incoming } from "./event-store.contract.js";
import { entry } from "./slack-thread-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";
import { newStockAlert } from "./alert-fixtures.js";

/** The retention store with the stores that write what it deletes. */
export interface RetentionStores {
  retention: RetentionStore;
  alerts: AlertStore;
  threads: SlackThreadStore;
  silences: SilenceStore;
  events: EventStore;
  seed: {
    product(code: string, quantity: number, at: number): void | Promise<void>;
    move(code: string, delta: number, at: number): void | Promise<void>;
  };
}

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T06:00:00Z");
const ago = (days: number) => NOW - days * DAY;

/** What every RetentionStore does. */
export function retentionStoreContract(name: string, open: OpenStore<RetentionStores>): void {
  describe(`RetentionStore contract (${name})`, () => {
    let opened: OpenedStore<RetentionStores>;
    let s: RetentionStores;
    beforeEach(async () => {
      opened = await open();
      s = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    /** Runs a batch step in transactions until a batch comes back short; the rows deleted per batch. */
    async function drain(step: BatchStep | null, limit: number): Promise<number[]> {
      expect(step).not.toBeNull();
      const batches: number[] = [];
      await s.retention.session(async () => {
        const tx = s.retention.transaction(() => step!(limit));
        for (;;) {
          const n = await tx();
          batches.push(n);
          if (n < limit) return;
        }
      });
      return batches;
    }

    const openStock = (subject: string, at: number) => s.alerts.openStock(newStockAlert(at, { subject }));

    it("knows no digest start on an empty database, and runs a session", async () => {
      expect(await s.retention.digestStarts()).toEqual([]);
      let ran = false;
      await s.retention.session(async () => {
        ran = true;
      });
      expect(ran).toBe(true);
      await s.retention.checkpoint();
    });

    it("deletes alerts resolved before the cutoff in batches, with their Slack incidents; then the messages nobody points at", async () => {
      const ids: number[] = [];
      for (const subject of ["A", "B", "C", "D", "E"]) ids.push(await openStock(subject, ago(20)));
      for (const id of ids.slice(0, 4)) await s.alerts.resolve(id, ago(10), "condition");
      const recent = await openStock("F", ago(20));
      await s.alerts.resolve(recent, ago(1), "condition");
      await s.threads.recordPost({ channel: "#w", channelId: "C1", ts: "1.0", entries: [entry(ids[0]!), entry(ids[1]!)], now: ago(10) });
      await s.threads.recordPost({ channel: "#w", channelId: "C1", ts: "2.0", entries: [entry(ids[4]!)], now: ago(10) });
      expect(await drain(s.retention.resolvedAlerts(ago(5)), 3)).toEqual([3, 1]);
      expect((await s.alerts.list({ limit: 10 })).map((a) => a.subject)).toEqual(["F", "E"]);
      expect(await s.threads.find(`alert:${ids[0]}`, "#w")).toBeUndefined();
      expect(await s.threads.find(`alert:${ids[4]}`, "#w")).toBeDefined();
      // The first message shows no alert that is left; the second still shows the open one.
      expect(await drain(s.retention.orphanSlackMessages(ago(5)), 10)).toEqual([1]);
      expect(await s.threads.find(`alert:${ids[4]}`, "#w")).toBeDefined();
    });

    it("deletes old cooldowns and silences that ended before the cutoff and no alert names", async () => {
      await s.alerts.markFired("r", "c", 1, "old", ago(10));
      await s.alerts.markFired("r", "c", 1, "new", ago(1));
      expect(await s.retention.cooldowns(ago(5))).toBe(1);
      expect(await s.alerts.lastFiredAt("r", "c", 1, "old")).toBeNull();
      expect(await s.alerts.lastFiredAt("r", "c", 1, "new")).toBe(ago(1));

      const base = { products: ["*"], rule: null, eshopId: null, reason: "x", createdBy: "t", createdAt: ago(30) };
      const over = await s.silences.add({ ...base, endsAt: ago(10) });
      const named = await s.silences.add({ ...base, endsAt: ago(10) });
      const running = await s.silences.add({ ...base, endsAt: NOW + DAY });
      const expired = await s.silences.add({ ...base, endsAt: NOW + DAY });
      await s.silences.expire(expired.id, ago(8));
      await s.silences.noteSilenced(await openStock("A", ago(20)), named.id);
      expect(await s.retention.silences(ago(5))).toBe(2);
      expect((await s.silences.recent(10)).map((x) => x.id).sort()).toEqual([named.id, running.id]);
      expect(await s.silences.get(over.id)).toBeUndefined();
    });

    it("deletes events before the cutoff that no open alert points at", async () => {
      const results = await s.events.insertBatch([
        incoming("order:create", "o-1", ago(10)),
        incoming("order:create", "o-2", ago(9)),
        incoming("order:create", "o-3", ago(8)),
        incoming("order:create", "o-4", ago(1)),
      ]);
      expect(results.length).toBe(4);
      expect(await s.retention.events(ago(20))).toBeNull();
      const all = await s.retention.events(ago(5));
      expect(await drain(all, 2)).toEqual([2, 1]);
      expect(await s.retention.eventsKept(ago(5))).toBe(0);
      expect(await s.retention.events(ago(5))).toBeNull();
    });

    it("deletes movements before the cutoff, and level changes but each product's last one before it", async () => {
      await s.seed.product("A", 10, ago(30));
      await s.seed.move("A", -10, ago(20)); // sold out
      await s.seed.move("A", 5, ago(15)); // back
      await s.seed.move("A", -5, ago(1)); // sold out
      expect(await drain(s.retention.movements(ago(5)), 1)).toEqual([1, 1, 0]);
      // Three level changes before the cutoff (first seen, sold out, back): the last one stays.
      expect(await drain(s.retention.levelChanges(ago(5)), 10)).toEqual([2]);
      expect(await drain(s.retention.levelChanges(ago(5)), 10)).toEqual([0]);
    });
  });
}
