import type { AlertMessage, DigestMessage, MessageBody } from "../outbox/outbox-types.js";
import { actionBlocks, stateBlocks, stateLine, type SlackTimeOptions } from "./slack-actions.js";
import { clip, context, escapeMrkdwn, FALLBACK_TEXT_MAX, field, header, section, type SlackBlock, type SlackRendering } from "./slack-blocks.js";
import { renderGroup, type GroupRendering } from "./slack-group.js";
import { emojiOf, formatQuantity, quantityLine } from "./slack-lines.js";

/**
 * Slack rendering of outbox messages: Block Kit blocks plus the plain-text fallback Slack shows in
 * notifications and to screen readers. Pure functions; the Slack notifier sends what they return.
 */
export type { SlackBlock, SlackRendering } from "./slack-blocks.js";
export type { SlackTimeOptions } from "./slack-actions.js";
export { escapeMrkdwn } from "./slack-blocks.js";
export { formatQuantity } from "./slack-lines.js";
export { groupTitle, MAIN_PRODUCTS, REPLY_PRODUCTS, type GroupRendering } from "./slack-group.js";

const WAREHOUSE_CAP = 10;

function productLabel(alert: AlertMessage): string {
  const { code, name } = alert.subject;
  return name ? `${code} ${name}` : code;
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

/**
 * One alert: product name and code, quantity and minimum, per-warehouse amounts, severity, rule;
 * who acknowledged it and until when it is snoozed; the buttons while it is open.
 */
export function renderAlert(alert: AlertMessage, options: SlackTimeOptions = {}): SlackRendering {
  const e = escapeMrkdwn;
  const { code, name } = alert.subject;
  const blocks: SlackBlock[] = [
    header(`${emojiOf(alert)} ${alert.summary}`),
    ...stateBlocks([alert], options),
    {
      type: "section",
      fields: [
        field(`*Product*\n\`${e(clip(code, 200))}\`${name ? ` ${e(clip(name, 200))}` : ""}`),
        field(`*Quantity*\n${quantityLine(alert)}`),
        field(`*Severity*\n${alert.severity}`),
        field(`*Rule*\n${e(clip(alert.rule, 200))}`),
      ],
    },
  ];
  const warehouses = warehouseLines(alert);
  if (warehouses.length) blocks.push(section(`*Per warehouse*\n${warehouses.map((l) => `• ${e(l)}`).join("\n")}`));
  if (alert.subject.details?.length) blocks.push(section(alert.subject.details.map(e).join("\n")));
  blocks.push(context(e(contextLine(alert))), ...actionBlocks([alert], options));

  // stateLine is mrkdwn already (a user id becomes a mention); the rest is escaped here.
  const state = stateLine([alert], options);
  const text = [
    e(alert.summary),
    ...(state ? [state] : []),
    ...[
      `Product: ${productLabel(alert)}`,
      `Quantity: ${quantityLine(alert)}`,
      ...(warehouses.length ? [`Per warehouse: ${warehouses.join(", ")}`] : []),
      ...(alert.subject.details ?? []),
      `Severity: ${alert.severity} · Rule: ${alert.rule}`,
    ].map(e),
  ].join("\n");
  return { text, blocks };
}

/** A digest on Slack is a short summary: the subject, the first lines, the period. No buttons. */
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

/**
 * Renders one message (one body) or the main message of a grouped one (several): what is posted,
 * and what a chat.update of that message shows. A long group continues in `renderContinuations`.
 */
export function renderSlack(bodies: readonly MessageBody[], options: SlackTimeOptions = {}): SlackRendering {
  if (bodies.length === 1) {
    const [only] = bodies as [MessageBody];
    return only.kind === "alert" ? renderAlert(only, options) : renderDigest(only);
  }
  return renderGroup(bodies, options).main;
}

/** The whole of a message: what is posted, then the replies posted in its thread. */
export function renderSlackMessage(bodies: readonly MessageBody[], options: SlackTimeOptions = {}): GroupRendering {
  return bodies.length > 1 ? renderGroup(bodies, options) : { main: renderSlack(bodies, options), replies: [] };
}

/**
 * The thread replies that name the products a grouped message has no room for, in order; none
 * for a single message or a group that fits.
 */
export function renderContinuations(bodies: readonly MessageBody[], options: SlackTimeOptions = {}): SlackRendering[] {
  return bodies.length > 1 ? renderGroup(bodies, options).replies : [];
}

/**
 * The short thread reply added under a message that a resolve or a level change updated: one line
 * per alert, in as many replies as it takes to keep each short (a whole group may change at once).
 */
export function renderThreadReplies(alerts: readonly AlertMessage[]): string[] {
  // An update comes from a Slack button (acknowledge, snooze, undo): one line saying so, not the
  // alert's summary again, which would read as if the alert had fired once more.
  const updates = alerts.filter((a) => a.transition === "update");
  const lines = alerts.filter((a) => a.transition !== "update").map((a) => `${emojiOf(a)} ${escapeMrkdwn(clip(a.summary, 500))}`);
  if (updates.length) lines.unshift(`:raising_hand: ${stateLine(updates) ?? "Acknowledgement and snooze undone: reminders go on as the rule says"}`);
  const out: string[] = [];
  for (const line of lines) {
    const last = out.length - 1;
    if (last >= 0 && out[last]!.length + 1 + line.length <= FALLBACK_TEXT_MAX) out[last] += `\n${line}`;
    else out.push(line);
  }
  return out;
}

/** All of `renderThreadReplies` in one text (for one alert, or where length does not matter). */
export function renderThreadReply(alerts: readonly AlertMessage[]): string {
  return renderThreadReplies(alerts).join("\n");
}
