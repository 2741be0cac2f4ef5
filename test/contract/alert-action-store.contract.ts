import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SlackThreadStore } from "../../src/notifiers/slack-thread-store.js";
import type { AlertStore } from "../../src/rules/alert-store.js";
import type { AlertActionStore, PostedMessage } from "../../src/slack/alert-action-store.js";
import { entry } from "./slack-thread-store.contract.js";
import type { OpenedStore, OpenStore } from "./store-harness.js";
import { newStockAlert } from "./alert-fixtures.js";

/** The alert action store with the stores that write what it reads (alerts, Slack messages, Slack deliveries). */
export interface AlertActionStores {
  actions: AlertActionStore;
  alerts: AlertStore;
  threads: SlackThreadStore;
  seed: {
    /** A Slack delivery of the rules channel `channel` to the Slack channel `slackChannel`, under this dedupe key. */
    slackDelivery(dedupeKey: string, channel: string, slackChannel: string): void | Promise<void>;
  };
}

const T = Date.parse("2026-11-27T06:00:00Z");

/** What every AlertActionStore does. */
export function alertActionStoreContract(name: string, open: OpenStore<AlertActionStores>): void {
  describe(`AlertActionStore contract (${name})`, () => {
    let opened: OpenedStore<AlertActionStores>;
    let s: AlertActionStores;
    beforeEach(async () => {
      opened = await open();
      s = opened.store;
    });
    afterEach(async () => {
      await opened.close();
    });

    const openAlert = (subject: string) => s.alerts.openStock(newStockAlert(T, { subject }));

    it("reads a posted message and every message that shows an incident, each parsed once", async () => {
      await s.threads.recordPost({ channel: "#w", channelId: "C1", ts: "1.0", entries: [entry(1), entry(2)], now: T });
      await s.threads.recordPost({ channel: "#ops", channelId: "C2", ts: "5.0", entries: [entry(2)], now: T });
      const message = (await s.actions.message("C1", "1.0"))!;
      expect(message).toEqual({ id: message.id, channel: "#w", entries: [entry(1), entry(2)] });
      expect(await s.actions.message("C1", "9.9")).toBeUndefined();
      expect(await s.actions.message("C2", "1.0")).toBeUndefined();
      const seen = new Map<number, PostedMessage>([[message.id, message]]);
      const shown = await s.actions.messagesOf("alert:2", seen);
      expect(shown.map((m) => m.channel)).toEqual(["#w", "#ops"]);
      expect(shown[0]).toBe(message);
      expect(seen.size).toBe(2);
      expect(await s.actions.messagesOf("alert:3", seen)).toEqual([]);
    });

    it("acknowledges, snoozes and clears open alerts only", async () => {
      const a = await openAlert("A");
      const b = await openAlert("B");
      const gone = await openAlert("C");
      await s.alerts.resolve(gone, T, "condition");
      await s.actions.acknowledge(a, { id: "U1", name: "jana" }, T + 1);
      await s.actions.acknowledge(gone, { id: "U1", name: "jana" }, T + 1);
      await s.actions.snooze(b, T + 100, T + 2);
      await s.actions.snooze(gone, T + 100, T + 2);
      expect(await s.actions.alerts([gone, b, a, 999])).toEqual([
        { id: a, state: "open", acknowledgedBy: "U1", acknowledgedAt: T + 1, snoozedUntil: null },
        { id: b, state: "open", acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: T + 100 },
        { id: gone, state: "resolved", acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: null },
      ]);
      const [view] = (await s.alerts.list({ limit: 10 })).filter((x) => x.id === a);
      expect([view!.acknowledgedBy, view!.acknowledgedById]).toEqual(["jana", "U1"]);
      await s.actions.clear(a, T + 3);
      await s.actions.clear(b, T + 3);
      expect(await s.actions.alerts([a, b])).toEqual([
        { id: a, state: "open", acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: null },
        { id: b, state: "open", acknowledgedBy: null, acknowledgedAt: null, snoozedUntil: null },
      ]);
    });

    it("records each action once per action key, and lists them per alert, oldest first", async () => {
      const a = await openAlert("A");
      const b = await openAlert("B");
      const first = await s.actions.record({ alertId: a, action: "ack", userId: "U1", userName: "jana", value: null, at: T, actionKey: "k1" });
      expect(first).not.toBeNull();
      expect(await s.actions.record({ alertId: a, action: "ack", userId: "U1", userName: "jana", value: null, at: T + 1, actionKey: "k1" })).toBeNull();
      expect(await s.actions.record({ alertId: b, action: "ack", userId: "U1", userName: "jana", value: null, at: T, actionKey: "k1" })).not.toBeNull();
      expect(await s.actions.record({ alertId: a, action: "snooze", userId: "U2", userName: "petr", value: "4h", at: T + 2, actionKey: "k2" })).not.toBeNull();
      expect(await s.actions.actionsOf([])).toEqual(new Map());
      expect(await s.actions.actionsOf([a, 999])).toEqual(
        new Map([
          [
            a,
            [
              { action: "ack", userId: "U1", userName: "jana", value: null, at: new Date(T).toISOString() },
              { action: "snooze", userId: "U2", userName: "petr", value: "4h", at: new Date(T + 2).toISOString() },
            ],
          ],
        ]),
      );
      expect([...(await s.actions.actionsOf([a, b])).keys()]).toEqual([a, b]);
    });

    it("finds the rules channel that sent an alert to a Slack channel, newest first", async () => {
      await s.seed.slackDelivery("alert:1:open:warehouse", "warehouse", "#w");
      await s.seed.slackDelivery("alert:1:remind-1:stock", "stock", "#w");
      await s.seed.slackDelivery("alert:1:open:ops", "ops", "#ops");
      await s.seed.slackDelivery("alert:12:open:other", "other", "#x");
      await s.seed.slackDelivery("alert:2:open:x", "x", "#w");
      expect(await s.actions.channelName(1, "#w")).toBe("stock");
      expect(await s.actions.channelName(1, "#ops")).toBe("ops");
      expect(await s.actions.channelName(1, "#x")).toBeUndefined();
      expect(await s.actions.channelName(12, "#x")).toBe("other");
      expect(await s.actions.channelName(3, "#w")).toBeUndefined();
    });
  });
}
