import { describe, expect, it } from "vitest";
import { renderSlack, renderSlackMessage } from "../../../src/notifiers/render-slack.js";
import type { AlertMessage } from "../../../src/outbox/outbox-types.js";
import { parseInteraction } from "../../../src/slack/interaction-payload.js";
import { alert as baseAlert, digest, T0 } from "../../helpers/outbox-fixtures.js";
import { actionIds, blockKitViolations, visibleText, type Rendered } from "./block-kit-limits.js";
import { makeAlert } from "./slack-fixtures.js";

/** The buttons and the acknowledged / snoozed line of Slack messages (render side). */
const MIN = 60_000;
const ACKED = { by: "U024BE7LH", at: T0 + 5 * MIN }; // 08:05 UTC
const SNOOZED = T0 + 10 * 60 * MIN; // 18:00 UTC the same day

/** The outbox fixture's alert with the Slack-action seam fields it does not copy. */
function alert(code: string, over: Parameters<typeof baseAlert>[1] = {}): AlertMessage {
  const out = baseAlert(code, over);
  for (const k of ["actions", "acknowledged", "snoozedUntil"] as const) if (k in over) Object.assign(out, { [k]: over[k] });
  return out;
}

type Button = { action_id: string; value: string; text: { text: string } };
const buttons = (r: Rendered): Button[] =>
  r.blocks.filter((b) => b.type === "actions").flatMap((b) => b.elements as Button[]);

/** What Slack posts to the interactions route when this button is clicked. */
function click(button: Button): string {
  return JSON.stringify({
    type: "block_actions",
    user: { id: "U024BE7LH", username: "jana" },
    container: { type: "message", channel_id: "C0WAREHOUSE", message_ts: "1700000000.000100" },
    actions: [{ type: "button", action_id: button.action_id, value: button.value, block_id: "b", action_ts: "1700000001.000200" }],
  });
}

describe("Slack buttons", () => {
  it("puts Acknowledge and Snooze under an open alert that may have them, each a click the route accepts", () => {
    const r = renderSlack([alert("KAV-1", { actions: true })]);
    expect(blockKitViolations(r)).toEqual([]);
    expect(actionIds(r)).toEqual(["stockwatch.ack", "stockwatch.snooze", "stockwatch.snooze"]);
    const parsed = buttons(r).map((b) => parseInteraction(click(b)));
    expect(parsed.map((p) => (p.ok ? [p.action.action, p.action.snoozeMs] : p.error))).toEqual([
      ["ack", null],
      ["snooze", 4 * 60 * MIN],
      ["snooze", 24 * 60 * MIN],
    ]);
    expect(buttons(r).map((b) => [b.text.text, b.value])).toEqual([
      ["Acknowledge", "ack"],
      ["Snooze 4h", "4h"],
      ["Snooze 1 day", "1d"],
    ]);
  });

  it("adds Undo while the alert is acknowledged or snoozed", () => {
    for (const over of [{ acknowledged: ACKED }, { snoozedUntil: SNOOZED }] as Partial<AlertMessage>[]) {
      const r = renderSlack([alert("KAV-1", { actions: true, ...over })], { now: T0 + 6 * MIN });
      expect(blockKitViolations(r)).toEqual([]);
      expect(actionIds(r)).toEqual(["stockwatch.ack", "stockwatch.snooze", "stockwatch.unack", "stockwatch.snooze"]);
      const undo = buttons(r).find((b) => b.action_id === "stockwatch.unack")!;
      expect(undo).toMatchObject({ value: "unack", text: { text: "Undo" } });
      const p = parseInteraction(click(undo));
      expect(p.ok && p.action.action).toBe("unack");
    }
    // A snooze that is over offers no Undo.
    const over = renderSlack([alert("KAV-1", { actions: true, snoozedUntil: SNOOZED })], { now: SNOOZED + 1 });
    expect(actionIds(over)).not.toContain("stockwatch.unack");
  });

  it("never puts buttons on a resolve, a digest, or an alert without actions", () => {
    expect(actionIds(renderSlack([alert("KAV-1", { actions: true, transition: "resolve" })]))).toEqual([]);
    expect(actionIds(renderSlack([digest()]))).toEqual([]);
    expect(actionIds(renderSlack([alert("KAV-1")]))).toEqual([]);
    expect(actionIds(renderSlack([alert("KAV-1", { actions: false, acknowledged: ACKED })]))).toEqual([]);
    const resolved = [1, 2].map((i) => alert(`R-${i}`, { alertId: i, actions: true, transition: "resolve" }));
    expect(actionIds(renderSlack(resolved))).toEqual([]);
  });

  it("puts one set of buttons on a group when any of its open alerts may have them, in the main message only", () => {
    const alerts = Array.from({ length: 60 }, (_, i) => makeAlert("soldOut", "open", i, { actions: i === 59 }));
    const { main, replies } = renderSlackMessage(alerts);
    expect(actionIds(main)).toEqual(["stockwatch.ack", "stockwatch.snooze", "stockwatch.snooze"]);
    for (const reply of replies) expect(actionIds(reply)).toEqual([]);
  });
});

describe("the acknowledged and snoozed line", () => {
  it("says who acknowledged and when, as a mention for a Slack user id", () => {
    const r = renderSlack([alert("KAV-1", { actions: true, acknowledged: ACKED })], { now: T0 + 6 * MIN });
    expect(visibleText(r)).toContain(":raising_hand: Acknowledged by <@U024BE7LH> at 08:05 UTC");
    expect(r.text).toContain("Acknowledged by <@U024BE7LH> at 08:05 UTC");
    expect(r.blocks[1]).toMatchObject({ type: "context" });
    const named = renderSlack([alert("KAV-1", { acknowledged: { by: "jana <boss>", at: ACKED.at } })], { now: T0 });
    expect(visibleText(named)).toContain("Acknowledged by jana &lt;boss&gt; at 08:05 UTC");
  });

  it("says until when it is snoozed, with the date unless it is today", () => {
    const a = alert("KAV-1", { actions: true, snoozedUntil: SNOOZED });
    expect(visibleText(renderSlack([a], { now: T0 }))).toContain("Snoozed until 18:00 UTC");
    expect(visibleText(renderSlack([a], { now: T0 }))).not.toContain("Mon 6 Jan");
    // Without today (an update made elsewhere) or on another day, the date is said.
    expect(visibleText(renderSlack([a]))).toContain("Snoozed until Mon 6 Jan 18:00 UTC");
    const tomorrow = alert("KAV-1", { snoozedUntil: T0 + 24 * 60 * MIN });
    expect(visibleText(renderSlack([tomorrow], { now: T0 }))).toContain("Snoozed until Tue 7 Jan 08:00 UTC");
  });

  it("uses the rules' timezone when it is given", () => {
    const r = renderSlack([alert("KAV-1", { acknowledged: ACKED })], { now: T0, timeZone: "Europe/Prague" });
    expect(visibleText(r)).toContain("Acknowledged by <@U024BE7LH> at 09:05");
    expect(visibleText(r)).not.toContain("UTC");
  });

  it("keeps showing who acknowledged on the resolve", () => {
    const r = renderSlack([alert("KAV-1", { transition: "resolve", actions: true, acknowledged: ACKED })], { now: T0 + 60 * MIN });
    expect(visibleText(r)).toContain("Acknowledged by <@U024BE7LH> at 08:05 UTC");
    expect(actionIds(r)).toEqual([]);
  });

  it("in a group: the latest acknowledgement, and how many of the alerts it covers", () => {
    const alerts = [0, 1, 2].map((i) =>
      makeAlert("soldOut", "open", i, i < 2 ? { actions: true, acknowledged: { by: `U00000${i}`, at: ACKED.at + i * MIN } } : { actions: true }),
    );
    const { main } = renderSlackMessage(alerts, { now: T0 + 10 * MIN });
    expect(visibleText(main)).toContain("Acknowledged by <@U000001> at 08:06 UTC (2 of 3)");
    expect(blockKitViolations(main)).toEqual([]);
  });
});

describe("buttons and state within Block Kit limits: kind × transition × size", () => {
  const kinds = ["soldOut", "low", "backInStock", "daysOfCover", "event"] as const;
  const cases = kinds.flatMap((kind) =>
    (["open", "remind", "resolve"] as const).flatMap((transition) => [1, 2, 15, 60, 500].map((size) => ({ kind, transition, size }))),
  ).filter((c) => c.kind !== "event" || c.transition === "open");
  it.each(cases)("$kind $transition × $size", ({ kind, transition, size }) => {
    const alerts = Array.from({ length: size }, (_, i) =>
      makeAlert(kind, transition, i, { actions: true, acknowledged: i % 2 ? ACKED : null, snoozedUntil: i % 3 ? SNOOZED : null }),
    );
    const { main, replies } = renderSlackMessage(alerts, { now: T0 });
    for (const part of [main, ...replies]) expect(blockKitViolations(part)).toEqual([]);
    const ids = actionIds(main);
    if (transition === "resolve") expect(ids).toEqual([]);
    else expect(ids).toEqual(size === 1 && !alerts[0]!.acknowledged && !alerts[0]!.snoozedUntil
      ? ["stockwatch.ack", "stockwatch.snooze", "stockwatch.snooze"]
      : ["stockwatch.ack", "stockwatch.snooze", "stockwatch.unack", "stockwatch.snooze"]);
    const seen = [main, ...replies].map(visibleText).join("\n");
    for (const a of alerts) expect(seen).toContain(`\`${a.subject.code}\``);
    if (size > 1) expect(visibleText(main)).toMatch(/Acknowledged by <@U024BE7LH> at 08:05 UTC \(\d+ of \d+\)|Snoozed until 18:00 UTC/);
  });
});
