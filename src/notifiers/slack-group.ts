import type { AlertMessage, DigestMessage, MessageBody } from "../outbox/outbox-types.js";
import { actionBlocks, stateBlocks, stateLine, type SlackTimeOptions } from "./slack-actions.js";
import {
  clipLines,
  context,
  escapeMrkdwn,
  FALLBACK_TEXT_MAX,
  header,
  section,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackRendering,
} from "./slack-blocks.js";
import { alertKind, coverDays, emojiOf, productLine, productPlainLine, sortAlerts, type AlertKind } from "./slack-lines.js";

/**
 * Grouped Slack messages ("12 products sold out") that name every product: the main message
 * lists the first ones (most severe first), the rest follow as replies in its thread, each
 * within Block Kit's limits. Pure; the Slack notifier posts the parts in order.
 */

/** Products listed in the main message; more than this and the list continues in the thread. */
export const MAIN_PRODUCTS = 20;
/** Products per continuation reply (fewer if their lines need more blocks than Slack allows). */
export const REPLY_PRODUCTS = 150;

export interface GroupRendering {
  main: SlackRendering;
  /** Thread replies naming the products the main message has no room for, in order. */
  replies: SlackRendering[];
}

const KIND_PHRASE: Record<Exclude<AlertKind, "runningOut" | "event" | "other">, string> = {
  soldOut: "sold out",
  low: "low on stock",
  ok: "back in stock",
};
const KIND_ORDER: AlertKind[] = ["soldOut", "low", "runningOut", "ok", "event", "other"];
const MIXED_PHRASE: Record<AlertKind, string> = {
  soldOut: "sold out",
  low: "low on stock",
  runningOut: "running out",
  ok: "back in stock",
  event: "events",
  other: "other",
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** "running out within 4 days", from the forecasts' days left (the longest of them). */
function runningOutPhrase(alerts: readonly AlertMessage[]): string {
  const days = alerts.map(coverDays);
  if (days.some((d) => d === null)) return "running out";
  const most = Math.max(...(days as number[]));
  return most < 1 ? "running out in less than a day" : `running out within ${plural(most, "day")}`;
}

/** What the open alerts of a group are, e.g. "12 products sold out" or "5 alerts: 3 sold out, 2 low on stock". */
function openPhrase(open: readonly AlertMessage[]): string {
  const kinds = new Set(open.map(alertKind));
  const n = open.length;
  const [only] = kinds;
  if (kinds.size === 1 && only) {
    if (only === "runningOut") return `${plural(n, "product")} ${runningOutPhrase(open)}`;
    if (only === "event") {
      const types = [...new Set(open.map((a) => a.event!.type))];
      return `${plural(n, "event")}: ${types.slice(0, 3).join(", ")}${types.length > 3 ? ", …" : ""}`;
    }
    if (only === "other") return `${plural(n, "alert")} from ${[...new Set(open.map((a) => a.rule))].join(", ")}`;
    return `${plural(n, "product")} ${KIND_PHRASE[only]}`;
  }
  const counts = KIND_ORDER.map((k) => [k, open.filter((a) => alertKind(a) === k).length] as const).filter(([, c]) => c > 0);
  return `${plural(n, "alert")}: ${counts.map(([k, c]) => (k === "event" ? plural(c, "event") : `${c} ${MIXED_PHRASE[k]}`)).join(", ")}`;
}

/** Title of a grouped message, e.g. ":red_circle: 12 products sold out" or "… (2 resolved)". */
export function groupTitle(alerts: readonly AlertMessage[]): string {
  const open = sortAlerts(alerts.filter((a) => a.transition !== "resolve"));
  const resolved = alerts.length - open.length;
  if (open.length === 0) {
    const what = alerts.some((a) => a.event) ? "alert" : "product";
    return `:white_check_mark: ${plural(alerts.length, what)} resolved`;
  }
  const still = open.every((a) => a.transition === "remind") ? "Still: " : "";
  return `${emojiOf(open[0]!)} ${still}${openPhrase(open)}${resolved ? ` (${resolved} resolved)` : ""}`;
}

/** The title without its emoji, for the plain-text fallback (and email subjects). */
export const plainTitle = (title: string) => title.replace(/^:[a-z0-9_+-]+: /, "");

/**
 * Takes lines from `lines[from]` on while they fit `maxLines` lines and `maxSections` sections
 * of Slack's 3,000 characters; returns the section texts and how many lines they hold.
 */
function takeSections(lines: readonly string[], from: number, maxLines: number, maxSections: number): { texts: string[]; taken: number } {
  const max = SLACK_LIMITS.sectionText;
  const texts: string[] = [];
  let i = from;
  for (; i < lines.length && i - from < maxLines; i++) {
    const line = lines[i]!;
    const last = texts.length - 1;
    if (last >= 0 && texts[last]!.length + 1 + line.length <= max) texts[last] += `\n${line}`;
    else if (texts.length < maxSections) texts.push(line);
    else break;
  }
  return { texts, taken: i - from };
}

/** A grouped message (several bodies) as its main message and continuation replies. */
export function renderGroup(bodies: readonly MessageBody[], options: SlackTimeOptions = {}): GroupRendering {
  const alerts = sortAlerts(bodies.filter((b): b is AlertMessage => b.kind === "alert"));
  const digests = bodies.filter((b): b is DigestMessage => b.kind === "digest");
  const title = alerts.length ? groupTitle(alerts) : `:bar_chart: ${digests.length} digests`;
  const lines = [...alerts.map(productLine), ...digests.map((d) => `:bar_chart: ${escapeMrkdwn(d.subject)}`)];
  const plain = [...alerts.map(productPlainLine), ...digests.map((d) => d.subject)];
  const total = lines.length;

  const state = stateBlocks(alerts, options);
  const actions = actionBlocks(alerts, options);
  const rules = [...new Set(alerts.map((a) => a.rule))];
  const severities = [...new Set(alerts.map((a) => a.severity))];
  const meta = rules.length ? [context(escapeMrkdwn(`rule ${rules.join(", ")} · severity ${severities.join(", ")}`))] : [];
  // header + state + sections + "more in the thread" + meta + actions ≤ 50.
  const fixed = 1 + state.length + 1 + meta.length + actions.length;
  const head = takeSections(lines, 0, MAIN_PRODUCTS, SLACK_LIMITS.blocksPerMessage - fixed);
  const rest = total - head.taken;
  const more = rest
    ? [context(`:thread: ${rest} more in the thread: ${head.taken + 1}–${total} of ${total}`)]
    : [];
  const blocks: SlackBlock[] = [header(title), ...state, ...head.texts.map(section), ...more, ...meta, ...actions];
  const stateText = stateLine(alerts, options);
  // stateLine is mrkdwn already (a user id becomes a mention); the other lines are escaped here.
  const mainText = clipLines(
    [
      escapeMrkdwn(plainTitle(title)),
      ...(stateText ? [stateText] : []),
      ...[
        ...plain.slice(0, head.taken),
        ...(rest ? [`+${rest} more in the thread (${head.taken + 1}–${total} of ${total})`] : []),
      ].map(escapeMrkdwn),
    ],
    FALLBACK_TEXT_MAX,
  );

  const replies: SlackRendering[] = [];
  for (let from = head.taken; from < total; ) {
    // A continuation context line + sections ≤ 50.
    const part = takeSections(lines, from, REPLY_PRODUCTS, SLACK_LIMITS.blocksPerMessage - 1);
    const span = `${from + 1}–${from + part.taken} of ${total}`;
    replies.push({
      text: clipLines([`${plainTitle(title)}, continued (${span})`, ...plain.slice(from, from + part.taken)].map(escapeMrkdwn), FALLBACK_TEXT_MAX),
      blocks: [context(escapeMrkdwn(`${plainTitle(title)}, continued: ${span}`)), ...part.texts.map(section)],
    });
    from += part.taken;
  }
  return { main: { text: mainText, blocks }, replies };
}
