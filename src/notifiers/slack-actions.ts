import type { AlertMessage } from "../outbox/outbox-types.js";
import { context, escapeMrkdwn, type SlackBlock } from "./slack-blocks.js";

/**
 * The message side of Slack actions: the Acknowledge / Snooze / Undo buttons and the line that
 * says who acknowledged and until when an alert is snoozed. Pure. The interactions route
 * (src/slack/) reads the clicks; it finds the alerts from the message's channel and ts, so the
 * buttons carry no alert ids and act on every alert of the message.
 */
export const ACTION_ACK = "stockwatch.ack";
export const ACTION_SNOOZE = "stockwatch.snooze";
export const ACTION_UNACK = "stockwatch.unack";

/** Snooze choices, one button each: value is the duration the route parses. */
export const SNOOZE_CHOICES = [
  { value: "4h", text: "Snooze 4h" },
  { value: "1d", text: "Snooze 1 day" },
] as const;

/** How times are shown: the rules' timezone when the caller knows it, and now to leave out today's date. */
export interface SlackTimeOptions {
  /** Epoch ms; when set, a time on the same day is shown without its date. */
  now?: number;
  /** IANA zone; default UTC (then the time says "UTC"). */
  timeZone?: string;
}

function button(actionId: string, text: string, value: string, style?: "primary"): Record<string, unknown> {
  return {
    type: "button",
    action_id: actionId,
    text: { type: "plain_text", text, emoji: true },
    value,
    ...(style ? { style } : {}),
  };
}

/**
 * The buttons of a message, or none: only when one of its alerts that is not resolved may have
 * them (`actions`, set while SLACK_SIGNING_SECRET is). Block Kit wants action ids unique within
 * an actions block, so each snooze button after the first sits in an actions block of its own;
 * every snooze button keeps the action id `stockwatch.snooze` and says its duration in `value`.
 * Undo is offered only while something is acknowledged or snoozed.
 */
export function actionBlocks(alerts: readonly AlertMessage[], options: SlackTimeOptions = {}): SlackBlock[] {
  if (!alerts.some((a) => a.actions && a.transition !== "resolve")) return [];
  const held = alerts.some((a) => a.acknowledged || (a.snoozedUntil && (options.now === undefined || a.snoozedUntil > options.now)));
  const [first, ...others] = SNOOZE_CHOICES;
  return [
    {
      type: "actions",
      block_id: "stockwatch.actions",
      elements: [
        button(ACTION_ACK, "Acknowledge", "ack", "primary"),
        button(ACTION_SNOOZE, first.text, first.value),
        ...(held ? [button(ACTION_UNACK, "Undo", "unack")] : []),
      ],
    },
    ...others.map((choice) => ({
      type: "actions",
      block_id: `stockwatch.snooze.${choice.value}`,
      elements: [button(ACTION_SNOOZE, choice.text, choice.value)],
    })),
  ];
}

const formats = new Map<string, { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();

function formatsFor(timeZone: string): { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat } {
  let f = formats.get(timeZone);
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      day: new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" }),
    };
    formats.set(timeZone, f);
  }
  return f;
}

/**
 * "14:05 UTC", or "Tue 6 Jan 14:05 UTC" when the day is not today's (or today is not known and
 * `withDay` asks for the date: a snooze of a day must not read as a time already past).
 */
export function formatClock(ms: number, options: SlackTimeOptions, withDay: boolean): string {
  const timeZone = options.timeZone ?? "UTC";
  const f = formatsFor(timeZone);
  const zone = timeZone === "UTC" ? " UTC" : "";
  const day = f.day.format(new Date(ms)).replace(",", "");
  const sameDay = options.now !== undefined && f.day.format(new Date(options.now)).replace(",", "") === day;
  const showDay = options.now !== undefined ? !sameDay : withDay;
  return `${showDay ? `${day} ` : ""}${f.time.format(new Date(ms))}${zone}`;
}

/** A Slack user id becomes a mention (Slack shows the person's name); anything else is shown as is. */
function who(by: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : escapeMrkdwn(by);
}

/**
 * "Acknowledged by <@U123> at 14:05 UTC · Snoozed until 18:05 UTC", or undefined when neither.
 * In a group: the latest acknowledgement and snooze, with how many of the alerts they cover.
 */
export function stateLine(alerts: readonly AlertMessage[], options: SlackTimeOptions = {}): string | undefined {
  const parts: string[] = [];
  const acked = alerts.filter((a) => a.acknowledged);
  const latest = acked.reduce<AlertMessage["acknowledged"]>(
    (best, a) => (best && best.at >= a.acknowledged!.at ? best : a.acknowledged),
    null,
  );
  const share = (n: number) => (alerts.length > 1 && n < alerts.length ? ` (${n} of ${alerts.length})` : "");
  if (latest) parts.push(`Acknowledged by ${who(latest.by)} at ${formatClock(latest.at, options, false)}${share(acked.length)}`);
  const snoozed = alerts.filter((a) => a.snoozedUntil && (options.now === undefined || a.snoozedUntil > options.now));
  const until = Math.max(...snoozed.map((a) => a.snoozedUntil!));
  if (snoozed.length) parts.push(`Snoozed until ${formatClock(until, options, true)}${share(snoozed.length)}`);
  return parts.length ? parts.join(" · ") : undefined;
}

/** The context block with `stateLine`, or none. */
export function stateBlocks(alerts: readonly AlertMessage[], options: SlackTimeOptions = {}): SlackBlock[] {
  const line = stateLine(alerts, options);
  return line ? [context(`:raising_hand: ${line}`)] : [];
}
