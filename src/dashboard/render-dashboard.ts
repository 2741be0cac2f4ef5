import type { DashboardData } from "./dashboard-data.js";
import { ago, esc, formatQuantity, table } from "./html.js";
import { alertSlackNote } from "./alert-slack-note.js";
import { alertSilenceNote, renderSilenceSection } from "./silence-section.js";

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2330;background:#f4f5f7}
header{background:#1d2330;color:#fff;padding:12px 16px}header h1{margin:0;font-size:18px}header p{margin:2px 0 0;color:#b8bfcc;font-size:13px}
nav{display:flex;flex-wrap:wrap;gap:6px;padding:8px 16px;background:#fff;border-bottom:1px solid #dde1e7}
nav a{color:#1d2330;text-decoration:none;padding:4px 10px;border-radius:14px;background:#eef0f3;font-size:13px}
main{padding:12px;max-width:1100px;margin:0 auto}
section{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:12px 14px;margin:0 0 12px}
h2{font-size:16px;margin:0 0 8px;display:flex;justify-content:space-between;align-items:baseline}
h2 .count{font-size:13px;color:#5b6475;font-weight:normal}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}th{color:#5b6475;font-weight:600;font-size:12px;text-transform:uppercase}
.num{text-align:right;font-variant-numeric:tabular-nums}.empty{color:#5b6475;margin:4px 0}
.pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600}
.soldOut,.critical,.dead{background:#fde2e1;color:#9b1c1c}.low,.warning,.retrying,.unconfigured{background:#fff1d6;color:#8a5300}
.ok,.info,.sent{background:#dff5e3;color:#1e6b35}.pending,.sending{background:#e6ecfb;color:#2a4a9b}
.err{color:#9b1c1c;font-size:13px;word-break:break-word}code{font-size:13px}
form.inline{display:inline}button{font:inherit;font-size:13px;padding:4px 10px;border-radius:6px;border:1px solid #2a4a9b;background:#2a4a9b;color:#fff}
select,input[type=text],input[type=password]{font:inherit;padding:4px 6px;border:1px solid #c5cad3;border-radius:6px;max-width:100%}
.notice{background:#dff5e3;border:1px solid #b6e3c0;padding:8px 12px;border-radius:6px;margin:0 0 12px}
@media (max-width:600px){th,td{padding:6px 4px;font-size:13px}.hide-sm{display:none}}
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export interface DashboardView {
  /** Filter for the recent events list. */
  eventType?: string | undefined;
  /** Show every delivery, not only failures. */
  allDeliveries?: boolean;
  notice?: string | undefined;
  /** The session's CSRF token, put in every form that changes something (see csrf.ts). */
  csrfToken?: string | undefined;
}

/** The dashboard page: what is out, what is low, what alerted, what happened, what failed. */
export function renderDashboard(data: DashboardData, nowMs: number, view: DashboardView = {}): string {
  const soldOut = data.products("soldOut", 200);
  const low = data.products("low", 200);
  const alerts = data.openAlerts(100);
  const events = data.recentEvents(view.eventType, 50);
  const deliveries = data.deliveries(!view.allDeliveries, 50);
  const runs = data.digestRuns(10);
  const rules = data.rules();

  const productRows = (list: typeof soldOut) =>
    list.map((p) => [
      `<code>${esc(p.code)}</code>`,
      esc(p.name ?? ""),
      `<span class="num">${esc(formatQuantity(p.quantity))}</span>`,
      `<span class="num">${esc(formatQuantity(p.minStockSupply))}</span>`,
      `<span title="${esc(new Date(p.levelSinceMs).toISOString())}">${esc(ago(p.levelSinceMs, nowMs))}</span>`,
    ]);

  const types = data.eventTypes();
  const filter = `<form method="get" action="/#events"><label for="type">Type </label><select id="type" name="type">
<option value="">all types</option>${types
    .map((t) => `<option value="${esc(t)}"${t === view.eventType ? " selected" : ""}>${esc(t)}</option>`)
    .join("")}</select> <button type="submit">Filter</button></form>`;

  const csrfField = view.csrfToken ? `<input type="hidden" name="csrf" value="${esc(view.csrfToken)}">` : "";
  const deliveryRows = deliveries.map((d) => [
    String(d.id),
    `${esc(d.channel)}<br><small>${esc(d.destination)}</small>`,
    `<span class="pill ${esc(d.status)}">${esc(d.status)}</span>`,
    `<span class="num">${d.attempts}</span>`,
    `${esc(d.summary)}${d.lastError ? `<div class="err">${esc(d.lastError)}</div>` : ""}`,
    ["dead", "unconfigured", "retrying"].includes(d.status)
      ? `<form class="inline" method="post" action="/deliveries/${d.id}/retry">${csrfField}<button type="submit">Retry</button></form>`
      : "",
  ]);

  const body = `
<header><h1>stockwatch</h1><p>${esc(new Date(nowMs).toISOString().replace("T", " ").slice(0, 16))} UTC · ${soldOut.length} sold out · ${low.length} low · ${alerts.length} open alerts</p></header>
<nav><a href="#sold-out">Sold out</a><a href="#low">Low</a><a href="#alerts">Alerts</a>${data.silences ? `<a href="#silences">Silences</a>` : ""}<a href="#events">Events</a><a href="#deliveries">Deliveries</a><a href="#digests">Digests</a><a href="#rules">Rules</a></nav>
<main>
${view.notice ? `<p class="notice">${esc(view.notice)}</p>` : ""}
<section id="sold-out"><h2>Sold out <span class="count">${soldOut.length}</span></h2>${table(["Code", "Product", "Qty", "Min", "Out for"], productRows(soldOut), "Nothing is sold out.")}</section>
<section id="low"><h2>Low <span class="count">${low.length}</span></h2>${table(["Code", "Product", "Qty", "Min", "Low for"], productRows(low), "Nothing is low.")}</section>
<section id="alerts"><h2>Open alerts <span class="count">${alerts.length}</span></h2>${table(
    ["Rule", "Subject", "Severity", "Open for"],
    alerts.map((a) => [esc(a.rule), `<code>${esc(a.subject)}</code>${alertSlackNote(a, nowMs)}${alertSilenceNote(a)}`, `<span class="pill ${esc(a.severity)}">${esc(a.severity)}</span>`, esc(ago(a.openedAtMs, nowMs))]),
    "No open alerts.",
  )}</section>
${data.silences ? renderSilenceSection(data.silences.active(nowMs), nowMs, csrfField) : ""}
<section id="events"><h2>Recent events <span class="count">${events.length}</span></h2>${filter}${table(
    ["#", "Event", "Instance", "E-shop", "Received"],
    events.map((e) => [String(e.id), `<code>${esc(e.event)}</code>`, esc(e.eventInstance), String(e.eshopId), `${esc(ago(e.receivedAtMs, nowMs))} ago`]),
    view.eventType ? `No ${view.eventType} events yet.` : "No events yet.",
  )}</section>
<section id="deliveries"><h2>${view.allDeliveries ? "Deliveries" : "Delivery problems"} <span class="count">${deliveries.length}</span></h2>
<p><a href="${view.allDeliveries ? "/#deliveries" : "/?deliveries=all#deliveries"}">${view.allDeliveries ? "Show only problems" : "Show all deliveries"}</a></p>${table(
    ["#", "Channel", "Status", "Tries", "Message", ""],
    deliveryRows,
    view.allDeliveries ? "Nothing has been sent yet." : "No failed deliveries.",
  )}</section>
<section id="digests"><h2>Digest runs <span class="count">${runs.length}</span></h2>${table(
    ["Digest", "Period", "Status"],
    runs.map((r) => [esc(r.digest), `${esc(new Date(r.periodFromMs).toISOString().slice(0, 16))} → ${esc(new Date(r.periodToMs).toISOString().slice(0, 16))}`, `<span class="pill ${esc(r.status)}">${esc(r.status)}</span>`]),
    "No digest has run yet.",
  )}</section>
<section id="rules"><h2>Rules file <span class="count"><span class="pill ${rules.ok ? "ok" : "dead"}">${rules.ok ? "loaded" : "errors"}</span></span></h2>
<p><code>${esc(rules.path)}</code> · ${rules.loadedAtMs ? `loaded ${esc(ago(rules.loadedAtMs, nowMs))} ago` : "not loaded"} · ${esc(rules.summary)}</p>
${rules.errors.length ? `<div class="err">${rules.errors.map((e) => `<div><code>${esc(e)}</code></div>`).join("")}</div>` : ""}</section>
</main>`;
  return page("stockwatch", body);
}

/** A refused post (403): what happened and what to do, with the way back. */
export function renderRefused(message: string): string {
  return page(
    "stockwatch · refused",
    `<header><h1>stockwatch</h1></header><main><section><p class="err">${esc(message)}</p><p><a href="/">Back to the dashboard</a></p></section></main>`,
  );
}

export function renderLogin(failed: boolean): string {
  return page(
    "stockwatch · sign in",
    `<header><h1>stockwatch</h1><p>Sign in with the ADMIN_TOKEN</p></header><main><section>
${failed ? '<p class="err">That token is not right.</p>' : ""}
<form method="post" action="/login"><label for="token">Admin token</label><br><input type="password" id="token" name="token" autocomplete="current-password"> <button type="submit">Sign in</button></form>
</section></main>`,
  );
}
