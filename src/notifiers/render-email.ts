import type { AlertMessage, DigestMessage, MessageBody } from "../outbox/outbox-types.js";
import { formatQuantity } from "./render-slack.js";
import { groupTitle, plainTitle } from "./slack-group.js";

/** Email rendering of outbox messages: a subject, an HTML part and a plain-text part. Pure. */
export interface EmailRendering {
  subject: string;
  text: string;
  html: string;
}

const SUBJECT_PREFIX = "[stockwatch]";

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

function quantityText(a: AlertMessage): string {
  const { quantity, minStockSupply } = a.subject;
  if (quantity === null) return "unknown";
  return minStockSupply === null
    ? formatQuantity(quantity)
    : `${formatQuantity(quantity)} (minimum ${formatQuantity(minStockSupply)})`;
}

function rows(a: AlertMessage): [string, string][] {
  const out: [string, string][] = [
    ["Product", a.subject.name ? `${a.subject.code} ${a.subject.name}` : a.subject.code],
    ["Quantity", quantityText(a)],
  ];
  const stocks = Object.entries(a.subject.perStock ?? {});
  if (stocks.length) {
    out.push(["Per warehouse", stocks.map(([s, q]) => `warehouse ${s}: ${formatQuantity(q)}`).join(", ")]);
  }
  out.push(["Severity", a.severity], ["Rule", a.rule], ["E-shop", String(a.subject.eshopId)]);
  if (a.event) out.push(["Event", `${a.event.type} ${a.event.instance}`]);
  return out;
}

function page(title: string, inner: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:sans-serif">${inner}<p style="color:#888;font-size:12px">Sent by stockwatch.</p></body></html>`;
}

function renderAlertEmail(a: AlertMessage): EmailRendering {
  const table = rows(a)
    .map(([k, v]) => `<tr><th align="left" style="padding-right:12px">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const details = a.subject.details?.length
    ? `<ul>${a.subject.details.map((d) => `<li>${escapeHtml(d)}</li>`).join("")}</ul>`
    : "";
  const text = [
    a.summary,
    "",
    ...rows(a).map(([k, v]) => `${k}: ${v}`),
    ...(a.subject.details?.length ? ["", ...a.subject.details] : []),
    "",
    "Sent by stockwatch.",
  ].join("\n");
  return {
    subject: `${SUBJECT_PREFIX} ${a.summary}`,
    text,
    html: page(a.summary, `<h2>${escapeHtml(a.summary)}</h2><table>${table}</table>${details}`),
  };
}

function renderDigestEmail(d: DigestMessage): EmailRendering {
  return { subject: d.subject, text: d.text, html: d.html };
}

/**
 * Subject line of a grouped email, e.g. "12 products sold out (rule sold-out)": the same honest
 * title as the grouped Slack message (sold out, low, running out within N days, mixed, resolved).
 */
export function groupSubject(alerts: readonly AlertMessage[]): string {
  const rules = [...new Set(alerts.map((a) => a.rule))].join(", ");
  return `${plainTitle(groupTitle(alerts))} (rule ${rules})`;
}

function renderGroupEmail(bodies: readonly MessageBody[]): EmailRendering {
  const alerts = bodies.filter((b): b is AlertMessage => b.kind === "alert");
  const digests = bodies.filter((b): b is DigestMessage => b.kind === "digest");
  const title = alerts.length ? groupSubject(alerts) : `${digests.length} digests`;
  // Each line as the alert's own email would say it: the quantity and, for forecasts, the days left.
  const line = (a: AlertMessage) =>
    `${a.transition === "resolve" ? "Resolved: " : ""}${a.subject.code}${a.subject.name ? ` ${a.subject.name}` : ""} — ${quantityText(a)}` +
    (a.subject.details?.length ? `; ${a.subject.details.join("; ")}` : "");
  const text = [title, "", ...alerts.map((a) => `- ${line(a)}`), ...digests.flatMap((d) => ["", d.subject, d.text]), "", "Sent by stockwatch."].join("\n");
  const html = page(
    title,
    `<h2>${escapeHtml(title)}</h2><ul>${alerts.map((a) => `<li>${escapeHtml(line(a))}</li>`).join("")}</ul>` +
      digests.map((d) => `<h3>${escapeHtml(d.subject)}</h3>${d.html}`).join(""),
  );
  return { subject: `${SUBJECT_PREFIX} ${title}`, text, html };
}

/** Renders one message (one body) or a grouped message (several). */
export function renderEmail(bodies: readonly MessageBody[]): EmailRendering {
  if (bodies.length === 1) {
    const [only] = bodies as [MessageBody];
    return only.kind === "alert" ? renderAlertEmail(only) : renderDigestEmail(only);
  }
  return renderGroupEmail(bodies);
}
