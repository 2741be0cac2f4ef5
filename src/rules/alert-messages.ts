import { describeForecast, formatCover } from "../forecast/forecast-text.js";
import type { AlertMessage, AlertSubject, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { StoredForecast } from "./evaluate-stock.js";
import { releaseTime } from "./quiet-hours.js";
import type { CompiledRule, CompiledRules } from "./rules-types.js";

export interface AlertMessageInput {
  rules: CompiledRules;
  rule: CompiledRule;
  transition: "open" | "remind" | "resolve";
  alertId: number;
  /** Reminder number, to keep each reminder's dedupe key distinct. */
  reminder?: number;
  subject: AlertSubject;
  event?: { type: string; instance: string; eventId: number };
  /** Days-of-cover rules: the short forecast for the summary, e.g. "≈ 4 days left" (see `coverNote`). */
  cover?: string;
  /** Epoch ms the decision was made. */
  now: number;
  /** Slack buttons on open and reminder messages of stock alerts (SLACK_SIGNING_SECRET is set). */
  slackActions?: boolean;
  /** Who acknowledged the alert in Slack: shown in its messages, the resolve too. */
  acknowledged?: { by: string; at: number } | null;
}

/**
 * One outbox row per channel the rule notifies. Delivery waits for the rule's group window
 * (`notBefore` = now + group, with a shared groupKey so the outbox merges the rule's alerts into
 * one message) and, when the channel has quiet hours, until they end; held messages share the
 * groupKey too, so they go out together.
 */
export function buildAlertMessages(input: AlertMessageInput): NewOutboxMessage[] {
  const { rules, rule, transition, alertId } = input;
  const body: AlertMessage = {
    kind: "alert",
    rule: rule.name,
    severity: rule.severity,
    transition,
    alertId,
    subject: input.subject,
    summary: summarize(rule, transition, input.subject, input.event, input.cover),
  };
  if (input.event) body.event = input.event;
  if (input.acknowledged) body.acknowledged = input.acknowledged;
  // Buttons only where they can act: an alert still open, in Slack (the body is per channel below).
  const buttons = input.slackActions === true && rule.kind === "stock" && transition !== "resolve";
  const step = transition === "remind" ? `remind:${input.reminder ?? 0}` : transition;
  return rule.notify.map((name) => {
    const channel = rules.channel(name);
    if (!channel) throw new Error(`rule ${rule.name} notifies undefined channel ${name}`);
    const due = input.now + rule.groupMs;
    const notBefore = releaseTime(due, channel.quietHours, rules.timezone);
    const message: NewOutboxMessage = {
      dedupeKey: `alert:${alertId}:${step}:${name}`,
      channel: name,
      destination: channel.destination,
      body: buttons && channel.destination.type === "slack" ? { ...body, actions: true } : body,
      notBefore,
      incidentKey: `alert:${alertId}`,
    };
    if (rule.groupMs > 0 || notBefore > due) message.groupKey = `${rule.name}:${name}:${transition}`;
    return message;
  });
}

const LEVEL_WORDS = { soldOut: "Sold out", low: "Low stock", ok: "In stock" } as const;

/**
 * One human line, e.g. "Sold out: KAV-1 Colombia 250 g (0 left, minimum 5)"; with a days-of-cover
 * note: "reorder-coffee: KAV-1 Colombia 250 g (≈ 4 days left, 24 in stock)".
 */
export function summarize(
  rule: CompiledRule,
  transition: "open" | "remind" | "resolve",
  s: AlertSubject,
  event?: { type: string; instance: string },
  cover?: string,
): string {
  if (rule.kind === "event") {
    const label = rule.description ?? rule.name;
    return `${label}: ${event?.type ?? "event"} ${s.code}`;
  }
  const label = rule.description ?? (rule.when.level !== null && rule.when.quantity === null ? LEVEL_WORDS[rule.when.level] : rule.name);
  const product = s.name ? `${s.code} ${s.name}` : s.code;
  const stocks = s.perStock
    ? `; ${Object.entries(s.perStock)
        .map(([id, q]) => `warehouse ${id}: ${q}`)
        .join(", ")}`
    : "";
  if (cover !== undefined) {
    const stock = `${s.quantity ?? "?"} in stock${stocks}`;
    if (transition === "resolve") return `Resolved — ${label}: ${product} (now ${cover}, ${stock})`;
    const line = `${label}: ${product} (${cover}, ${stock})`;
    return transition === "remind" ? `Still — ${line}` : line;
  }
  const min = s.minStockSupply !== null ? `, minimum ${s.minStockSupply}` : "";
  if (transition === "resolve") return `Resolved — ${label}: ${product} (now ${s.quantity ?? "?"} left${stocks})`;
  const line = `${label}: ${product} (${s.quantity ?? "?"} left${min}${stocks})`;
  return transition === "remind" ? `Still — ${line}` : line;
}

/** The short forecast of a days-of-cover alert for its summary: "≈ 4 days left", "not selling", … */
export function coverNote(f: StoredForecast): string {
  return formatCover(f.notSelling ? Infinity : f.daysOfCover);
}

/**
 * The detail lines of a days-of-cover alert: the forecast ("≈ 4 days left (sells ~6/day, 24 in
 * stock); at this rate sold out on Tue 2 Dec") and, for lead-time rules, what it is compared with.
 */
export function forecastDetails(f: StoredForecast, quantity: number, timeZone: string, now: number): string[] {
  const lines = [
    describeForecast(
      {
        quantity,
        velocityPerDay: f.velocityPerDay,
        daysOfCover: f.notSelling ? Infinity : f.daysOfCover,
        runOutAt: f.runOutAt,
        sold: f.sold,
        windowDays: f.windowDays,
      },
      timeZone,
      now,
    ),
  ];
  if (f.leadTimeDays !== null) {
    const safety = f.safetyDays > 0 ? ` + ${days(f.safetyDays)} safety` : "";
    lines.push(`a reorder takes ${days(f.leadTimeDays)}${safety}`);
  }
  return lines;
}

function days(n: number): string {
  const r = Math.round(n * 10) / 10;
  return `${r} ${r === 1 ? "day" : "days"}`;
}
