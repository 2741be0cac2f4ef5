import { z } from "zod";
import { parseDuration } from "../shared/duration.js";

/** The button action ids of the contract (product.md, "Added for the second stage"). */
export const ACTION_IDS = ["stockwatch.ack", "stockwatch.snooze", "stockwatch.unack"] as const;
export type ActionId = (typeof ACTION_IDS)[number];

/** Longest snooze a button may ask for; a longer one is a mistake, not a wish. */
export const MAX_SNOOZE_MS = 30 * 86_400_000;

/** One button click, as the route acts on it. */
export interface SlackAction {
  action: "ack" | "snooze" | "unack";
  /** Snooze only: how long, ms. */
  snoozeMs: number | null;
  /** The button's value as sent (kept in the action log). */
  value: string | null;
  user: { id: string; name: string };
  /** The message the button sits in. */
  channelId: string;
  messageTs: string;
  /** Slack's time of the click: with the user and the message, the key that makes a replay a no-op. */
  actionTs: string;
}

export type ParsedInteraction = { ok: true; action: SlackAction } | { ok: false; error: string };

const nonEmpty = z.string().min(1).max(200);

// Slack sends many more fields; only these are read, the rest is let through.
const blockActions = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({ id: nonEmpty, username: nonEmpty.optional(), name: nonEmpty.optional() }),
  container: z.looseObject({ channel_id: nonEmpty.optional(), message_ts: nonEmpty.optional() }).optional(),
  channel: z.looseObject({ id: nonEmpty }).optional(),
  message: z.looseObject({ ts: nonEmpty }).optional(),
  actions: z
    .array(z.looseObject({ action_id: nonEmpty, value: z.string().max(200).optional(), action_ts: nonEmpty }))
    .min(1),
});

/**
 * Reads the `payload` form field of a Slack interaction into one action, or says what is wrong
 * with it. Pure. Only `block_actions` from a message with one of our buttons is accepted; the
 * first of its actions is the click (Slack sends one per click).
 */
export function parseInteraction(payloadField: string | undefined): ParsedInteraction {
  if (payloadField === undefined || payloadField === "") {
    return { ok: false, error: "the body has no payload field: Slack sends interactions as form field payload=<JSON>" };
  }
  let json: unknown;
  try {
    json = JSON.parse(payloadField);
  } catch {
    return { ok: false, error: "the payload field is not JSON" };
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (typeof json !== "object" || json === null || type !== "block_actions") {
    return { ok: false, error: `only block_actions interactions are handled, got type ${JSON.stringify(type ?? null)}` };
  }
  const parsed = blockActions.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, error: `the block_actions payload is missing ${issue.path.join(".") || "fields"} (${issue.message})` };
  }
  const p = parsed.data;
  const channelId = p.container?.channel_id ?? p.channel?.id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  if (!channelId || !messageTs) return { ok: false, error: "the block_actions payload names no message (container.channel_id and container.message_ts)" };
  const a = p.actions[0]!;
  const id = a.action_id as ActionId;
  if (!ACTION_IDS.includes(id)) return { ok: false, error: `unknown action ${JSON.stringify(a.action_id)}: expected ${ACTION_IDS.join(", ")}` };
  let snoozeMs: number | null = null;
  if (id === "stockwatch.snooze") {
    snoozeMs = a.value === undefined ? null : (parseDuration(a.value) ?? null);
    if (snoozeMs === null || snoozeMs <= 0 || snoozeMs > MAX_SNOOZE_MS) {
      return { ok: false, error: `stockwatch.snooze needs a duration of at most 30d as its value (such as 4h or 1d), got ${JSON.stringify(a.value ?? null)}` };
    }
  }
  return {
    ok: true,
    action: {
      action: id === "stockwatch.ack" ? "ack" : id === "stockwatch.snooze" ? "snooze" : "unack",
      snoozeMs,
      value: a.value ?? null,
      user: { id: p.user.id, name: p.user.username ?? p.user.name ?? p.user.id },
      channelId,
      messageTs,
      actionTs: a.action_ts,
    },
  };
}
