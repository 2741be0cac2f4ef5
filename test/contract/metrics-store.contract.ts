import { describe, expect, it } from "vitest";
import type { MetricsStore } from "../../src/metrics/metrics-store.js";
import type { OpenStore } from "./store-harness.js";

/** Rows the metrics read, written the way the implementation stores them (the writers are other stores). */
export interface MetricsSeed {
  job(kind: string, status: string, createdAt: number): void;
  delivery(channel: string, status: string, createdAt: number, sentAt: number | null): number;
  digestRun(digest: string, status: string, createdAt: number, sentAt: number | null): void;
}

export interface MetricsStoreUnderTest {
  metrics: MetricsStore;
  seed: MetricsSeed;
}

/** The contract of MetricsStore: what /metrics reads at scrape time. */
export function metricsStoreContract(name: string, open: OpenStore<MetricsStoreUnderTest>): void {
  describe(`MetricsStore (${name})`, () => {
    const withStore = async (test: (s: MetricsStoreUnderTest) => Promise<void>) => {
      const opened = await open();
      try {
        await test(opened.store);
      } finally {
        await opened.close();
      }
    };
    const sorted = (rows: { labels: Record<string, string>; n: number }[]) =>
      [...rows].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

    it("reads nothing from an empty store", () =>
      withStore(async ({ metrics }) => {
        for (const what of ["jobs", "deliveries", "alerts", "products", "digestRuns", "recoveredEvents"] as const) {
          expect(await metrics.counts(what)).toEqual([]);
        }
        expect(await metrics.oldestPendingJobAt()).toBeNull();
        expect(await metrics.lastSentAt()).toBeNull();
        expect(await metrics.sentSince(0)).toEqual([]);
        expect(await metrics.lastDigestSuccess()).toEqual([]);
      }));

    it("counts jobs and deliveries by their labels; the oldest job waiting or running", () =>
      withStore(async ({ metrics, seed }) => {
        seed.job("movement-read", "pending", 300);
        seed.job("movement-read", "done", 100);
        seed.job("movement-read", "done", 150);
        seed.job("product-read", "running", 200);
        expect(sorted(await metrics.counts("jobs"))).toEqual([
          { labels: { kind: "movement-read", status: "done" }, n: 2 },
          { labels: { kind: "movement-read", status: "pending" }, n: 1 },
          { labels: { kind: "product-read", status: "running" }, n: 1 },
        ]);
        expect(await metrics.oldestPendingJobAt()).toBe(200);
        seed.delivery("warehouse", "sent", 1, 2);
        seed.delivery("warehouse", "dead", 1, null);
        expect(sorted(await metrics.counts("deliveries"))).toEqual([
          { labels: { channel: "warehouse", status: "dead" }, n: 1 },
          { labels: { channel: "warehouse", status: "sent" }, n: 1 },
        ]);
      }));

    it("lists sent deliveries from a time on, and when the newest was sent", () =>
      withStore(async ({ metrics, seed }) => {
        const a = seed.delivery("warehouse", "sent", 1_000, 1_500);
        const b = seed.delivery("managers", "sent", 1_200, 2_000);
        seed.delivery("warehouse", "retrying", 1_300, null);
        seed.delivery("warehouse", "dead", 1_300, null);
        expect(await metrics.lastSentAt()).toBe(2_000);
        expect(await metrics.sentSince(0)).toEqual([
          { id: a, channel: "warehouse", createdAt: 1_000, sentAt: 1_500 },
          { id: b, channel: "managers", createdAt: 1_200, sentAt: 2_000 },
        ]);
        expect((await metrics.sentSince(2_000)).map((r) => r.id)).toEqual([b]);
        expect(await metrics.sentSince(2_001)).toEqual([]);
      }));

    it("says when each digest last succeeded: queued (when it entered the outbox) or empty; a failed run does not count", () =>
      withStore(async ({ metrics, seed }) => {
        seed.digestRun("morning", "queued", 1_000, 1_100);
        seed.digestRun("morning", "queued", 5_000, 5_200);
        seed.digestRun("morning", "failed", 9_000, null);
        seed.digestRun("quiet", "empty", 3_000, null);
        seed.digestRun("broken", "failed", 4_000, null);
        expect(await metrics.lastDigestSuccess()).toEqual([
          { digest: "morning", at: 5_200 },
          { digest: "quiet", at: 3_000 },
        ]);
        expect(sorted(await metrics.counts("digestRuns"))).toEqual([
          { labels: { digest: "broken", status: "failed" }, n: 1 },
          { labels: { digest: "morning", status: "failed" }, n: 1 },
          { labels: { digest: "morning", status: "queued" }, n: 2 },
          { labels: { digest: "quiet", status: "empty" }, n: 1 },
        ]);
      }));
  });
}
