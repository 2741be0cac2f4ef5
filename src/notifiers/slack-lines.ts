import type { AlertMessage, Severity } from "../outbox/outbox-types.js";
import { clip, escapeMrkdwn } from "./slack-blocks.js";

/**
 * One product per line in grouped Slack messages, readable on a phone: emoji, code, short name
 * and what that alert's own message would show (quantity and minimum; for a forecast the days
 * left and the rate; for an event its type). Pure.
 */

/** Longest product name on a line; the full name is in the alert's own message and the dashboard. */
export const LINE_NAME_MAX = 40;
const LINE_CODE_MAX = 64;

/** What an alert is about, as far as the message tells: the basis of a group's title. */
export type AlertKind = "soldOut" | "low" | "ok" | "runningOut" | "event" | "other";

export function alertKind(alert: AlertMessage): AlertKind {
  if (alert.event) return "event";
  // Only days-of-cover rules attach forecast lines (src/rules/stock-applier.ts).
  if (alert.subject.details?.length) return "runningOut";
  return alert.subject.level ?? "other";
}

/** Shoptet amounts have up to 3 decimals; show them without float noise. */
export function formatQuantity(value: number | null | undefined): string {
  if (value === null || value === undefined) return "unknown";
  return String(Math.round(value * 1000) / 1000);
}

export function quantityLine(alert: AlertMessage): string {
  const { quantity, minStockSupply } = alert.subject;
  if (quantity === null) return "unknown";
  const min = minStockSupply === null ? "" : ` (minimum ${formatQuantity(minStockSupply)})`;
  return `${formatQuantity(quantity)}${min}`;
}

export function emojiOf(alert: AlertMessage): string {
  if (alert.transition === "resolve") return ":white_check_mark:";
  switch (alert.subject.level) {
    case "soldOut":
      return ":red_circle:";
    case "low":
      return ":large_orange_circle:";
    case "ok":
      return ":large_green_circle:";
    default:
      break;
  }
  if (alert.severity === "critical") return ":rotating_light:";
  if (alert.severity === "warning") return ":warning:";
  return ":information_source:";
}

/**
 * The forecast of a days-of-cover alert without the run-out date: "≈ 4 days left (sells ~6/day,
 * 24 in stock)". The first detail line is `describeForecast`'s (src/forecast/forecast-text.ts).
 */
export function forecastShort(alert: AlertMessage): string | null {
  const first = alert.subject.details?.[0];
  if (!first) return null;
  const cut = first.indexOf("; at this rate");
  return cut === -1 ? first : first.slice(0, cut);
}

/**
 * Days left as the forecast line says them ("≈ 4 days left" → 4, "less than a day left" → 0.5);
 * null when it says something else (not selling, no forecast yet).
 */
export function coverDays(alert: AlertMessage): number | null {
  const first = alert.subject.details?.[0] ?? "";
  const days = /^≈ (\d+) days? left/.exec(first);
  if (days) return Number(days[1]);
  return first.startsWith("less than a day left") ? 0.5 : null;
}

/** What the alert's own message shows, in a few words. */
function whatOf(alert: AlertMessage): string {
  const resolved = alert.transition === "resolve";
  if (alert.event) return alert.event.type;
  const forecast = forecastShort(alert);
  if (forecast) return resolved ? `now ${forecast}` : forecast;
  if (alert.subject.quantity === null) return "";
  return resolved ? `now ${quantityLine(alert)}` : quantityLine(alert);
}

/** The line in the message: ":red_circle: `KAV-1` Colombia 250 g — 0 (minimum 5)". */
export function productLine(alert: AlertMessage): string {
  const { code, name } = alert.subject;
  const label = `\`${escapeMrkdwn(clip(code, LINE_CODE_MAX))}\`${name ? ` ${escapeMrkdwn(clip(name, LINE_NAME_MAX))}` : ""}`;
  const what = whatOf(alert);
  return `${emojiOf(alert)} ${label}${what ? ` — ${escapeMrkdwn(what)}` : ""}`;
}

/** The same line for the plain-text fallback: "resolved: KAV-1 Colombia 250 g (now 7 (minimum 5))". */
export function productPlainLine(alert: AlertMessage): string {
  const { code, name } = alert.subject;
  const what = whatOf(alert);
  const label = name ? `${clip(code, LINE_CODE_MAX)} ${clip(name, LINE_NAME_MAX)}` : clip(code, LINE_CODE_MAX);
  return `${alert.transition === "resolve" ? "resolved: " : ""}${label}${what ? ` (${what})` : ""}`;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };
const byCode = new Intl.Collator("en", { numeric: true });

/**
 * Most severe first, then by code ("P-2" before "P-10"). A resolve keeps its place, so a grouped
 * message that is updated shows its products where they were.
 */
export function sortAlerts(alerts: readonly AlertMessage[]): AlertMessage[] {
  return [...alerts].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      byCode.compare(a.subject.code, b.subject.code) ||
      (a.subject.code < b.subject.code ? -1 : a.subject.code > b.subject.code ? 1 : 0) ||
      a.alertId - b.alertId,
  );
}
