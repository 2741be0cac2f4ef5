import type { SilenceView } from "../silences/silence-view.js";
import { ago, esc, table } from "./html.js";

/**
 * The dashboard's silences: those in force, each with an Expire button, and a form to add one.
 * Both forms carry the page's CSRF token (see csrf.ts); the routes are in silence-forms.ts.
 */
export function renderSilenceSection(silences: readonly SilenceView[], nowMs: number, csrfField: string): string {
  const rows = silences.map((s) => [
    String(s.id),
    `<code>${esc(s.products.join(", "))}</code>${s.eshopId === null ? "" : `<br><small>e-shop ${s.eshopId}</small>`}`,
    s.rule === null ? "every rule" : esc(s.rule),
    esc(s.reason),
    `<span title="${esc(s.endsAt)}">in ${esc(ago(nowMs, Date.parse(s.endsAt)))}</span>`,
    `<small>${esc(s.createdBy)}, ${esc(ago(Date.parse(s.createdAt), nowMs))} ago</small>`,
    `<form class="inline" method="post" action="/silences/${s.id}/expire">${csrfField}<button type="submit">Expire</button></form>`,
  ]);
  const form = `<form method="post" action="/silences">${csrfField}
<label for="silence-products">Products</label> <input type="text" id="silence-products" name="products" placeholder="KAV-*, !KAV-TEST*" required>
<label for="silence-rule">Rule</label> <input type="text" id="silence-rule" name="rule" placeholder="every rule">
<label for="silence-for">For</label> <input type="text" id="silence-for" name="for" placeholder="2d" size="5" required>
<label for="silence-reason">Reason</label> <input type="text" id="silence-reason" name="reason" placeholder="stock-taking" required>
<button type="submit">Silence</button></form>`;
  return `<section id="silences"><h2>Silences <span class="count">${silences.length}</span></h2>
<p class="empty">Alerts of silenced products are recorded but not sent; when a silence ends, those that still hold are sent once.</p>${table(
    ["#", "Products", "Rule", "Reason", "Ends", "Added", ""],
    rows,
    "No silences in force.",
  )}${form}</section>`;
}

/** Under an open alert: which silence held back its messages ("" when none did). */
export function alertSilenceNote(a: { silencedBy?: number | null }): string {
  return a.silencedBy ? `<br><small class="silenced"><a href="#silences">silenced by #${a.silencedBy}</a></small>` : "";
}

/** The products field as typed: globs separated by commas or spaces. */
export function productsOfField(text: unknown): string[] {
  return typeof text === "string" ? text.split(/[\s,]+/).filter((p) => p !== "") : [];
}
