import { ago, esc } from "./html.js";

/** What was done to an open alert from Slack (src/slack/), as the dashboard shows it. */
export interface AlertSlackState {
  acknowledgedBy?: string | null;
  acknowledgedAtMs?: number | null;
  snoozedUntilMs?: number | null;
}

/**
 * The small line under an open alert's subject: "acknowledged by jana 12 min ago", "snoozed until
 * 18:05 UTC"; empty when neither. Escaped HTML.
 */
export function alertSlackNote(a: AlertSlackState, nowMs: number): string {
  const parts: string[] = [];
  if (a.acknowledgedBy) parts.push(`acknowledged by ${a.acknowledgedBy}${a.acknowledgedAtMs ? ` ${ago(a.acknowledgedAtMs, nowMs)} ago` : ""}`);
  if (a.snoozedUntilMs && a.snoozedUntilMs > nowMs) {
    parts.push(`snoozed until ${new Date(a.snoozedUntilMs).toISOString().slice(0, 16).replace("T", " ")} UTC`);
  }
  return parts.length ? `<br><small class="slack-state">${esc(parts.join(" · "))}</small>` : "";
}
