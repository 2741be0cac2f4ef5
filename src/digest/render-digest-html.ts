import type { Cell, SectionView } from "./section-views.js";

/**
 * The HTML part of a digest, written for mail clients: layout with tables, every style inline
 * (Gmail and Outlook drop <style> blocks and classes), colours also as bgcolor attributes (Outlook),
 * no scripts, no images, no web fonts, a 640 px column that shrinks on phones.
 */

export interface HtmlParts {
  title: string;
  period: string;
  scope: string | null;
  summary: string;
  tiles: { label: string; value: string; tone: SectionView["tone"] }[];
  sections: SectionView[];
  footer: string;
}

const FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif";
const TONES: Record<SectionView["tone"], { fg: string; bg: string }> = {
  bad: { fg: "#b42318", bg: "#fef3f2" },
  warn: { fg: "#b54708", bg: "#fffaeb" },
  good: { fg: "#067647", bg: "#ecfdf3" },
  neutral: { fg: "#344054", bg: "#f2f4f7" },
};
const BAR_PX = 140;
const BAR_COLOUR = "#e04f39";

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Inline code spans for `backticked` words in a note (already escaped text in, HTML out). */
function withCode(escaped: string): string {
  return escaped.replace(/`([^`]+)`/g, '<code style="font-family:Menlo,Consolas,monospace;font-size:12px;background:#f2f4f7;padding:1px 4px;">$1</code>');
}

export function renderDigestHtml(p: HtmlParts): string {
  const e = escapeHtml;
  const share = p.tiles.length ? Math.floor(100 / p.tiles.length) : 100;
  const tiles = p.tiles.length
    ? `<tr><td style="padding:0 24px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>
${p.tiles
  .map((t) => {
    const tone = TONES[t.tone];
    return `<td align="center" valign="top" width="${share}%" bgcolor="${tone.bg}" style="width:${share}%;background:${tone.bg};border:4px solid #ffffff;padding:10px 4px;${FONT};">
<div style="font-size:24px;line-height:28px;font-weight:700;color:${tone.fg};">${e(t.value)}</div>
<div style="font-size:12px;line-height:16px;color:#475467;">${e(t.label)}</div></td>`;
  })
  .join("\n")}
</tr></table></td></tr>`
    : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light"><title>${e(p.title)}</title></head>
<body style="margin:0;padding:0;background:#f2f4f7;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f2f4f7" style="background:#f2f4f7;">
<tr><td align="center" style="padding:24px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="width:100%;max-width:640px;background:#ffffff;border:1px solid #e4e7ec;${FONT};color:#101828;">
<tr><td style="padding:20px 24px 4px;${FONT};">
<h1 style="margin:0;font-size:20px;line-height:26px;font-weight:700;color:#101828;">${e(p.title)}</h1>
<p style="margin:4px 0 0;font-size:13px;line-height:18px;color:#475467;">${e(p.period)}</p>
${p.scope ? `<p style="margin:2px 0 0;font-size:13px;line-height:18px;color:#475467;">Scope: ${e(p.scope)}</p>` : ""}
<p style="margin:8px 0 12px;font-size:14px;line-height:20px;color:#344054;">${e(p.summary)}</p>
</td></tr>
${tiles}
${p.sections.map(section).join("\n")}
<tr><td style="padding:16px 24px 20px;border-top:1px solid #e4e7ec;font-size:12px;line-height:16px;color:#667085;${FONT};">${withCode(e(p.footer))}</td></tr>
</table>
</td></tr></table>
</body></html>
`;
}

function section(s: SectionView): string {
  const e = escapeHtml;
  const tone = TONES[s.tone];
  const head = `<h2 style="margin:0 0 6px;font-size:16px;line-height:22px;font-weight:700;color:#101828;">${e(s.title)}
<span style="display:inline-block;margin-left:6px;padding:1px 8px;font-size:13px;line-height:18px;font-weight:600;color:${tone.fg};background:${tone.bg};border-radius:10px;">${e(s.count)}</span></h2>`;
  const note = s.note ? `<p style="margin:0 0 8px;font-size:12px;line-height:16px;color:#667085;">${withCode(e(s.note))}</p>` : "";
  let body: string;
  if (s.rows.length === 0) {
    body = `<p style="margin:0;font-size:14px;line-height:20px;color:#475467;">${withCode(e(s.empty))}</p>`;
  } else {
    const th = s.columns
      .map((c) => `<th align="${c.align}" style="font-size:12px;font-weight:600;color:#475467;border-bottom:1px solid #e4e7ec;">${e(c.header)}</th>`)
      .join("");
    // Cells carry only attributes: the table's inline style is inherited, which keeps a long
    // digest well under the size at which Gmail clips a message (~100 KB).
    const rows = s.rows
      .map((r, n) => `<tr valign="top"${n % 2 ? ' bgcolor="#f9fafb"' : ""}>${r.map((c, i) => `<td${s.columns[i]?.align === "right" ? ' align="right"' : ""}>${cell(c)}</td>`).join("")}</tr>`)
      .join("\n");
    const more = s.more > 0 ? `<p style="margin:6px 0 0;font-size:12px;color:#667085;">… and ${s.more} more</p>` : "";
    body = `<table width="100%" cellpadding="6" cellspacing="0" border="0" style="border-collapse:collapse;width:100%;font-size:13px;line-height:18px;color:#101828;${FONT};">
<tr bgcolor="#f9fafb">${th}</tr>
${rows}
</table>${more}`;
  }
  return `<tr><td style="padding:16px 24px 4px;${FONT};">${head}${note}${body}</td></tr>`;
}

function cell(c: Cell): string {
  if (c.bar !== undefined) return bar(c.bar);
  const main = escapeHtml(c.text);
  return c.sub ? `${main}<br><span style="font-size:12px;color:#667085;">${escapeHtml(c.sub)}</span>` : main;
}

/** A bar as a one-row table with a coloured cell: renders in Outlook, Gmail and Apple Mail alike. */
function bar(share: number): string {
  const px = share > 0 ? Math.max(2, Math.round(Math.min(1, share) * BAR_PX)) : 0;
  const tiny = "font-size:0;line-height:0;";
  const fill = px > 0 ? `<td width="${px}" height="10" bgcolor="${BAR_COLOUR}" style="width:${px}px;background:${BAR_COLOUR};${tiny}">&nbsp;</td>` : "";
  const rest = px < BAR_PX ? `<td width="${BAR_PX - px}" height="10" style="width:${BAR_PX - px}px;${tiny}">&nbsp;</td>` : "";
  return `<table role="presentation" width="${BAR_PX}" cellpadding="0" cellspacing="0" border="0" style="width:${BAR_PX}px;margin-top:4px;"><tr>${fill}${rest}</tr></table>`;
}
