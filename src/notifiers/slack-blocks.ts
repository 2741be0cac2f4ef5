/**
 * Block Kit building blocks and Slack's limits. Every block stockwatch sends is made here, so the
 * limits are kept in one place: a message over them is refused by Slack (invalid_blocks) and the
 * alert would never arrive.
 */
export interface SlackBlock {
  type: string;
  [field: string]: unknown;
}

export interface SlackRendering {
  text: string;
  blocks: SlackBlock[];
}

/** Slack's own limits (api.slack.com/reference/block-kit). */
export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFieldText: 2000,
  headerText: 150,
  contextText: 3000,
  buttonText: 75,
  actionsElements: 25,
} as const;

/** The fallback `text` is shown in notifications; Slack cuts it at 40,000, phones much earlier. */
export const FALLBACK_TEXT_MAX = 3000;

/** Escapes the three characters Slack mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cuts plain text to `max` characters, marking the cut with "…". */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Like clip, for escaped mrkdwn: never leaves half an entity ("&am…") behind. */
export function clipEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]*$/, "")}…`;
}

/** Keeps whole lines of `lines` within `max` characters; what is cut is said in a last line. */
export function clipLines(lines: readonly string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const rest = lines.length - i - 1;
    const tail = rest > 0 ? `\n… ${rest} more lines`.length : 0;
    const sep = out.length ? 1 : 0;
    if (i === 0) out.push(clip(line, max - tail));
    else if (length + sep + line.length + tail > max) {
      out.push(`… ${lines.length - i} more lines`);
      break;
    } else out.push(line);
    length += sep + out[out.length - 1]!.length;
  }
  return out.join("\n");
}

export function header(text: string): SlackBlock {
  return { type: "header", text: { type: "plain_text", text: clip(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** A section of escaped mrkdwn, cut (at a whole entity) to Slack's 3,000 characters. */
export function section(markdown: string): SlackBlock {
  return { type: "section", text: { type: "mrkdwn", text: clipEscaped(markdown, SLACK_LIMITS.sectionText) } };
}

/** One of a section's fields (escaped mrkdwn), cut to Slack's 2,000 characters. */
export function field(markdown: string): { type: "mrkdwn"; text: string } {
  return { type: "mrkdwn", text: clipEscaped(markdown, SLACK_LIMITS.sectionFieldText) };
}

export function context(markdown: string): SlackBlock {
  return { type: "context", elements: [{ type: "mrkdwn", text: clipEscaped(markdown, SLACK_LIMITS.contextText) }] };
}

