import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SlackEntry, SlackThreadStore } from "../../src/notifiers/slack-thread-store.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";

const T = Date.parse("2026-11-27T06:00:00Z");

export function entry(alertId: number | null, summary = `alert ${alertId}`): SlackEntry {
  return {
    incidentKey: alertId === null ? null : `alert:${alertId}`,
    body: {
      kind: "alert",
      rule: "low",
      severity: "warning",
      transition: "open",
      alertId: alertId ?? 0,
      subject: { eshopId: 1, code: `KAV-${alertId}`, name: null },
      summary,
    } as SlackEntry["body"],
  };
}

/** What every SlackThreadStore does. */
export function slackThreadStoreContract(name: string, open: OpenStore<SlackThreadStore>): void {
  describe(`SlackThreadStore contract (${name})`, () => {
    let opened: OpenedStore<SlackThreadStore>;
    let threads: SlackThreadStore;
    beforeEach(async () => {
      opened = await open();
      threads = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    it("finds the message that shows an incident, per channel", async () => {
      expect(await threads.find("alert:1", "#warehouse")).toBeUndefined();
      await threads.recordPost({ channel: "#warehouse", channelId: "C1", ts: "100.1", entries: [entry(1), entry(2), entry(null)], now: T });
      await threads.recordPost({ channel: "#ops", channelId: "C2", ts: "200.1", entries: [entry(1)], now: T });
      const found = await threads.find("alert:2", "#warehouse");
      expect(found).toEqual({ messageId: found!.messageId, channelId: "C1", ts: "100.1", entries: [entry(1), entry(2), entry(null)] });
      expect((await threads.find("alert:1", "#warehouse"))!.messageId).toBe(found!.messageId);
      const ops = await threads.find("alert:1", "#ops");
      expect([ops!.channelId, ops!.ts]).toEqual(["C2", "200.1"]);
      expect(ops!.messageId).not.toBe(found!.messageId);
      expect(await threads.find("alert:2", "#ops")).toBeUndefined();
    });

    it("moves an incident to its newest message, and a repost of the same ts replaces the entries", async () => {
      await threads.recordPost({ channel: "#w", channelId: "C1", ts: "1.0", entries: [entry(1)], now: T });
      await threads.recordPost({ channel: "#w", channelId: "C1", ts: "2.0", entries: [entry(1, "again")], now: T + 1 });
      expect((await threads.find("alert:1", "#w"))!.ts).toBe("2.0");
      await threads.recordPost({ channel: "#w", channelId: "C1", ts: "2.0", entries: [entry(1, "third"), entry(3)], now: T + 2 });
      const found = await threads.find("alert:3", "#w");
      expect(found!.entries).toEqual([entry(1, "third"), entry(3)]);
      expect((await threads.find("alert:1", "#w"))!.messageId).toBe(found!.messageId);
    });

    it("updates what a message shows", async () => {
      await threads.recordPost({ channel: "#w", channelId: "C1", ts: "1.0", entries: [entry(1)], now: T });
      const before = (await threads.find("alert:1", "#w"))!;
      await threads.updateEntries(before.messageId, [entry(1, "resolved")], T + 5);
      expect((await threads.find("alert:1", "#w"))!.entries).toEqual([entry(1, "resolved")]);
    });
  });
}
