import type { AlertMessage, DigestMessage, MessageBody } from "../outbox/outbox-types.js";

/**
 * Slack rendering of outbox messages: Block Kit blocks plus the plain-text fallback Slack shows in
 * notifications and to screen readers. Pure functions; the Slack notifier sends what they return.
 */
export interface SlackBlock {
  type: string;
  [field: string]: unknown;
}

export interface SlackRendering {
  text: string;
  blocks: SlackBlock[];
}

/** Longest product list in one grouped message; the rest is summed up as "+N more". */
export const GROUP_LIST_CAP = 15;
const WAREHOUSE_CAP = 10;
const HEADER_MAX = 150;
const SECTION_MAX = 2900;

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Shoptet amounts have up to 3 decimals; show them without float noise. */
export function formatQuantity(value: number | null | undefined): string {
  if (value === null || value === undefined) return "unknown";
  return String(Math.round(value * 1000) / 1000);
}

function emojiOf(alert: AlertMessage): string {
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

function productLabel(alert: AlertMessage): string {
  const { code, name } = alert.subject;
  return name ? `${code} ${name}` : code;
}

function quantityLine(alert: AlertMessage): string {
  const { quantity, minStockSupply } = alert.subject;
  if (quantity === null) return "unknown";
  const min = minStockSupply === null ? "" : ` (minimum ${formatQuantity(minStockSupply)})`;
  return `${formatQuantity(quantity)}${min}`;
}

function warehouseLines(alert: AlertMessage): string[] {
  const entries = Object.entries(alert.subject.perStock ?? {});
  const shown = entries.slice(0, WAREHOUSE_CAP).map(([stock, amount]) => `warehouse ${stock}: ${formatQuantity(amount)}`);
  if (entries.length > WAREHOUSE_CAP) shown.push(`+${entries.length - WAREHOUSE_CAP} more`);
  return shown;
}

function contextLine(alert: AlertMessage): string {
  const parts = [`e-shop ${alert.subject.eshopId}`, `alert #${alert.alertId}`];
  if (alert.event) parts.push(`event ${alert.event.type} ${alert.event.instance}`);
  if (alert.transition === "resolve") parts.push("resolved");
  if (alert.transition === "remind") parts.push("reminder");
  return parts.join(" · ");
}

function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text: clip(text, HEADER_MAX), emoji: true } };
}

function section(markdown: string): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text: clip(markdown, SECTION_MAX) } };
}

function context(markdown: string): SlackBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: clip(markdown, SECTION_MAX) }] };
}

/** One alert: product name and code, quantity and minimum, per-warehouse amounts, severity, rule. */
export function renderAlert(alert: AlertMessage): SlackRendering {
  const e = escapeMrkdwn;
  const { code, name } = alert.subject;
  const blocks: SlackBlock[] = [
    header(`${emojiOf(alert)} ${alert.summary}`),
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Product*\n\`${e(code)}\`${name ? ` ${e(clip(name, 200))}` : ""}` },
        { type: "mrkdwn", text: `*Quantity*\n${quantityLine(alert)}` },
        { type: "mrkdwn", text: `*Severity*\n${alert.severity}` },
        { type: "mrkdwn", text: `*Rule*\n${e(alert.rule)}` },
      ],
    },
  ];
  const warehouses = warehouseLines(alert);
  if (warehouses.length) blocks.push(section(`*Per warehouse*\n${warehouses.map((l) => `• ${e(l)}`).join("\n")}`));
  if (alert.subject.details?.length) blocks.push(section(alert.subject.details.map(e).join("\n")));
  blocks.push(context(e(contextLine(alert))));

  const text = [
    alert.summary,
    `Product: ${productLabel(alert)}`,
    `Quantity: ${quantityLine(alert)}`,
    ...(warehouses.length ? [`Per warehouse: ${warehouses.join(", ")}`] : []),
    ...(alert.subject.details ?? []),
    `Severity: ${alert.severity} · Rule: ${alert.rule}`,
  ].join("\n");
  return { text: escapeMrkdwn(text), blocks };
}

/** A digest on Slack is a short summary: the subject, the first lines, the period. */
export function renderDigest(digest: DigestMessage): SlackRendering {
  const lines = digest.text.split("\n").filter((l) => l.trim() !== "");
  const shown = lines.slice(0, 20);
  const more = lines.length > shown.length ? `\n… ${lines.length - shown.length} more lines in the email digest` : "";
  const period = `${isoMinute(digest.periodFrom)} – ${isoMinute(digest.periodTo)} UTC`;
  return {
    text: escapeMrkdwn(`${digest.subject}\n${shown.slice(0, 5).join("\n")}`),
    blocks: [
      header(`:bar_chart: ${digest.subject}`),
      section(escapeMrkdwn(shown.join("\n") + more) || "_nothing to report_"),
      context(escapeMrkdwn(`digest ${digest.digest} · ${period}`)),
    ],
  };
}

function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ");
}

const LEVEL_PHRASE = { soldOut: "sold out", low: "low on stock", ok: "back in stock" } as const;

/** Title of a grouped message, e.g. "12 products sold out". */
export function groupTitle(alerts: readonly AlertMessage[]): string {
  const open = alerts.filter((a) => a.transition !== "resolve");
  const resolved = alerts.length - open.length;
  if (open.length === 0) return `:white_check_mark: ${alerts.length} alerts resolved`;
  const levels = new Set(open.map((a) => a.subject.level));
  const [only] = levels;
  const what =
    levels.size === 1 && only
      ? `${open.length} products ${LEVEL_PHRASE[only]}`
      : `${open.length} alerts from ${[...new Set(open.map((a) => a.rule))].join(", ")}`;
  const emoji = open.length && open[0] ? emojiOf(open[0]) : "";
  return `${emoji} ${what}${resolved ? ` (${resolved} resolved)` : ""}`.trim();
}

function groupLine(alert: AlertMessage): string {
  const { code, name } = alert.subject;
  const label = `\`${escapeMrkdwn(code)}\`${name ? ` ${escapeMrkdwn(clip(name, 80))}` : ""}`;
  const qty = alert.subject.quantity === null ? "" : ` — ${quantityLine(alert)}`;
  return `${emojiOf(alert)} ${label}${qty}`;
}

function renderGroup(bodies: readonly MessageBody[]): SlackRendering {
  const alerts = bodies.filter((b): b is AlertMessage => b.kind === "alert");
  const digests = bodies.filter((b): b is DigestMessage => b.kind === "digest");
  const title = alerts.length ? groupTitle(alerts) : `:bar_chart: ${digests.length} digests`;
  const shown = alerts.slice(0, GROUP_LIST_CAP);
  const lines = shown.map(groupLine);
  if (alerts.length > shown.length) lines.push(`+${alerts.length - shown.length} more`);
  for (const d of digests) lines.push(`:bar_chart: ${escapeMrkdwn(d.subject)}`);
  const rules = [...new Set(alerts.map((a) => a.rule))];
  const severities = [...new Set(alerts.map((a) => a.severity))];
  const blocks: SlackBlock[] = [header(title), section(lines.join("\n"))];
  if (rules.length) blocks.push(context(escapeMrkdwn(`rule ${rules.join(", ")} · severity ${severities.join(", ")}`)));
  const plainTitle = title.replace(/^:[a-z_]+: /, "");
  const plainLines = [
    ...shown.map((a) => `${a.transition === "resolve" ? "resolved: " : ""}${productLabel(a)} (${quantityLine(a)})`),
    ...(alerts.length > shown.length ? [`+${alerts.length - shown.length} more`] : []),
    ...digests.map((d) => d.subject),
  ];
  return { text: escapeMrkdwn([plainTitle, ...plainLines].join("\n")), blocks };
}

/** Renders one message (one body) or a grouped message (several). */
export function renderSlack(bodies: readonly MessageBody[]): SlackRendering {
  if (bodies.length === 1) {
    const [only] = bodies as [MessageBody];
    return only.kind === "alert" ? renderAlert(only) : renderDigest(only);
  }
  return renderGroup(bodies);
}

/** The short thread reply added under a message that a resolve or a level change updated. */
export function renderThreadReply(alerts: readonly AlertMessage[]): string {
  return alerts.map((a) => `${emojiOf(a)} ${escapeMrkdwn(a.summary)}`).join("\n");
}
