import type { Cell, Column, SectionView } from "./section-views.js";

/** The plain-text part of a digest: aligned columns, bars drawn with block characters. */

const MAX_COL = 42;
const BAR_WIDTH = 16;
const BLOCKS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

export interface TextParts {
  title: string;
  period: string;
  scope: string | null;
  summary: string;
  sections: SectionView[];
  footer: string;
}

export function renderDigestText(p: TextParts): string {
  const lines: string[] = [p.title, "=".repeat(Math.min(p.title.length, 72)), "", `Period: ${p.period}`];
  if (p.scope) lines.push(`Scope: ${p.scope}`);
  lines.push(p.summary, "");
  for (const s of p.sections) {
    lines.push(`${s.title.toUpperCase()}: ${s.count}`);
    if (s.note) lines.push(s.note);
    if (s.rows.length === 0) {
      lines.push(`  ${s.empty}`, "");
      continue;
    }
    lines.push(...table(s.columns, s.rows));
    if (s.more > 0) lines.push(`  … and ${s.more} more`);
    lines.push("");
  }
  lines.push("--", p.footer, "");
  return lines.join("\n");
}

/** A bar of `share` (0..1) of BAR_WIDTH characters, in eighths. */
export function textBar(share: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * BAR_WIDTH * 8);
  const bar = "█".repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8]!;
  return bar === "" && share > 0 ? "▏" : bar;
}

function cellText(c: Cell): string {
  if (c.bar !== undefined) return textBar(c.bar);
  if (c.plain !== undefined) return c.plain;
  return c.sub ? `${c.text} ${c.sub}` : c.text;
}

function clip(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join("")}…`;
}

function table(columns: Column[], rows: Cell[][]): string[] {
  const texts = rows.map((r) => r.map((c) => clip(cellText(c).replace(/\s+/g, " "), MAX_COL)));
  const widths = columns.map((col, i) => Math.max([...col.header].length, ...texts.map((r) => [...(r[i] ?? "")].length)));
  const pad = (text: string, i: number) => {
    const gap = " ".repeat(Math.max(0, widths[i]! - [...text].length));
    return columns[i]!.align === "right" ? gap + text : text + gap;
  };
  const line = (cells: string[]) => `  ${cells.map(pad).join("  ")}`.trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => "-".repeat(w))), ...texts.map(line)];
}
