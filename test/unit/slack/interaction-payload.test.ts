import { describe, expect, it } from "vitest";
import { parseInteraction } from "../../../src/slack/interaction-payload.js";

function payload(action: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: "block_actions",
    user: { id: "U123", username: "jana", name: "jana", team_id: "T1" },
    api_app_id: "A1",
    container: { type: "message", message_ts: "1700000001.000001", channel_id: "C0123", is_ephemeral: false },
    channel: { id: "C0123", name: "warehouse" },
    message: { ts: "1700000001.000001", text: "Sold out" },
    response_url: "https://hooks.slack.com/actions/T1/1/x",
    actions: [{ type: "button", block_id: "b", text: { type: "plain_text", text: "Acknowledge" }, action_ts: "1764925200.123456", ...action }],
    ...extra,
  });
}

describe("parseInteraction", () => {
  it("reads an Acknowledge click: who, which message, the replay key", () => {
    expect(parseInteraction(payload({ action_id: "stockwatch.ack", value: "ack" }))).toEqual({
      ok: true,
      action: {
        action: "ack",
        snoozeMs: null,
        value: "ack",
        user: { id: "U123", name: "jana" },
        channelId: "C0123",
        messageTs: "1700000001.000001",
        actionTs: "1764925200.123456",
      },
    });
  });

  it.each([
    ["4h", 4 * 3_600_000],
    ["1d", 86_400_000],
    ["30m", 1_800_000],
  ])("reads a snooze of %s", (value, ms) => {
    const parsed = parseInteraction(payload({ action_id: "stockwatch.snooze", value }));
    expect(parsed).toMatchObject({ ok: true, action: { action: "snooze", snoozeMs: ms, value } });
  });

  it("reads Undo, and takes the message from channel/message when there is no container", () => {
    const parsed = parseInteraction(payload({ action_id: "stockwatch.unack" }, { container: undefined, user: { id: "U9", name: "petr" } }));
    expect(parsed).toMatchObject({ ok: true, action: { action: "unack", user: { id: "U9", name: "petr" }, channelId: "C0123", messageTs: "1700000001.000001" } });
  });

  it.each([
    ["no payload", undefined, /no payload field/],
    ["an empty payload", "", /no payload field/],
    ["not JSON", "{type:", /not JSON/],
    ["a view submission", JSON.stringify({ type: "view_submission", user: { id: "U1" } }), /only block_actions.*view_submission/],
    ["a JSON array", "[1,2]", /only block_actions/],
    ["no user", JSON.stringify({ type: "block_actions", actions: [{ action_id: "stockwatch.ack", action_ts: "1" }] }), /missing user/],
    ["no actions", payload({ action_id: "stockwatch.ack" }, { actions: [] }), /missing actions/],
    ["an action without action_ts", payload({ action_id: "stockwatch.ack", action_ts: undefined }), /missing actions\.0\.action_ts/],
    ["no message", payload({ action_id: "stockwatch.ack" }, { container: { type: "view" }, channel: undefined, message: undefined }), /names no message/],
    ["another app's button", payload({ action_id: "approve" }), /unknown action "approve"/],
    ["a snooze without a value", payload({ action_id: "stockwatch.snooze" }), /needs a duration.*got null/],
    ["a snooze of nonsense", payload({ action_id: "stockwatch.snooze", value: "soon" }), /needs a duration.*"soon"/],
    ["a snooze of a year", payload({ action_id: "stockwatch.snooze", value: "365d" }), /at most 30d/],
    ["a snooze of zero", payload({ action_id: "stockwatch.snooze", value: "0h" }), /needs a duration/],
  ])("refuses %s with a specific error", (_name, field, error) => {
    const parsed = parseInteraction(field);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});
