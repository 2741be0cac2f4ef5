import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DashboardStore } from "../../src/dashboard/dashboard-store.js";
import type { NewDigestRun } from "../../src/digest/digest-store.js";
import type { EventStore } from "../../src/events/event-store.js";
import { incoming } from "./event-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

/** A DashboardStore, and the stores that write what it reads, on one database. */
export interface DashboardStores {
  dashboard: DashboardStore;
  events: EventStore;
  digestRuns: { insert(run: NewDigestRun): number | Promise<number> };
}

function run(digest: string, periodFrom: number, status: NewDigestRun["status"]): NewDigestRun {
  return { digest, slot: periodFrom, trigger: "schedule", periodFrom, periodTo: periodFrom + 1000, status, messages: 1, subject: null, error: null, createdAt: periodFrom, sentAt: null };
}

/** What every DashboardStore does. */
export function dashboardStoreContract(name: string, open: OpenStore<DashboardStores>): void {
  describe(`DashboardStore contract (${name})`, () => {
    let opened: OpenedStore<DashboardStores>;
    let stores: DashboardStores;
    beforeEach(async () => {
      opened = await open();
      stores = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("lists each stored event type once, alphabetically", async () => {
      expect(await stores.dashboard.eventTypes()).toEqual([]);
      await stores.events.insertBatch([
        incoming("stock:soldOut", "a", 1),
        incoming("order:create", "b", 2),
        incoming("stock:soldOut", "c", 3),
        incoming("order:cancel", "d", 4),
      ]);
      expect(await stores.dashboard.eventTypes()).toEqual(["order:cancel", "order:create", "stock:soldOut"]);
    });

    it("lists the last digest runs recorded, the newest first, at most `limit`", async () => {
      expect(await stores.dashboard.digestRuns(5)).toEqual([]);
      await stores.digestRuns.insert(run("daily", 3000, "queued"));
      await stores.digestRuns.insert(run("weekly", 1000, "empty"));
      await stores.digestRuns.insert(run("daily", 5000, "failed"));
      expect(await stores.dashboard.digestRuns(2)).toEqual([
        { digest: "daily", periodFromMs: 5000, periodToMs: 6000, status: "failed" },
        { digest: "weekly", periodFromMs: 1000, periodToMs: 2000, status: "empty" },
      ]);
      expect((await stores.dashboard.digestRuns(10)).map((r) => r.periodFromMs)).toEqual([5000, 1000, 3000]);
    });
  });
}
