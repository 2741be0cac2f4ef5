import {
  MAX_ROWS,
  eventLabel,
  formatChange,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatPeriod,
  plural,
  productLabel,
  spansSeveralEshops,
} from "./digest-format.js";
import { formatDay as formatRunOutDay, formatRate } from "../forecast/forecast-text.js";
import type { DigestModel, DigestSectionName } from "./digest-types.js";

/**
 * A section as both parts show it: a heading with its count, a note, and a table of cells. The text
 * and HTML renderers only lay these out, so both parts always say the same thing.
 */
export interface SectionView {
  name: DigestSectionName;
  title: string;
  /** Next to the title, e.g. "3" or "5 opened, 4 resolved". */
  count: string;
  tone: "bad" | "warn" | "good" | "neutral";
  note: string | null;
  /** Shown instead of the table when there are no rows. */
  empty: string;
  columns: Column[];
  rows: Cell[][];
  /** Rows left out of the table (the count says how many there are in all). */
  more: number;
}

export interface Column {
  header: string;
  align: "left" | "right";
}

export interface Cell {
  text: string;
  /** Secondary text (product name, raw event type). */
  sub?: string;
  /** 0..1: draw a bar of this share of the column. */
  bar?: number;
  /** The cell in the plain-text part, when it differs from "text sub". */
  plain?: string;
}

const left = (header: string): Column => ({ header, align: "left" });
const right = (header: string): Column => ({ header, align: "right" });

/** A table of at most MAX_ROWS rows, and how many were left out. */
function cappedRows<T>(rows: readonly T[], cells: (row: T) => Cell[]): { rows: Cell[][]; more: number } {
  return { rows: rows.slice(0, MAX_ROWS).map(cells), more: Math.max(0, rows.length - MAX_ROWS) };
}

/** What every section's view is built from. */
interface ViewContext {
  model: DigestModel;
  tz: string;
  now: number;
  /** The product cell: code (and e-shop when the digest spans several), name below. */
  product: (p: { eshopId: number; code: string; name: string | null }) => Cell;
}

/** The model's sections, present. */
type Sections = { [K in DigestSectionName]: NonNullable<DigestModel[K]> };

type SectionBody = Omit<SectionView, "name" | "title" | "columns" | "empty"> & Partial<Pick<SectionView, "empty">>;

function soldOutView(s: Sections["soldOut"], { tz, now, product }: ViewContext): SectionBody | null {
  return {
    count: formatNumber(s.count),
    tone: s.count ? "bad" : "good",
    note: s.count ? "Longest first." : null,
    ...cappedRows(s.rows, (r) => [product(r), { text: formatDateTime(r.since, tz) }, { text: formatDuration(Math.max(0, now - r.since)) }]),
  };
}

function lowView(s: Sections["low"], { tz, now, product }: ViewContext): SectionBody | null {
  return {
    count: formatNumber(s.count),
    tone: s.count ? "warn" : "good",
    note: s.count ? "At or below their minimum stock (minStockSupply), longest first." : null,
    ...cappedRows(s.rows, (r) => [
      product(r),
      { text: formatNumber(r.quantity) },
      { text: r.minStockSupply === null ? "–" : formatNumber(r.minStockSupply) },
      { text: `${formatDateTime(r.since, tz)} (${formatDuration(Math.max(0, now - r.since))})` },
    ]),
  };
}

function runningOutView(s: Sections["runningOut"], { tz, now, product }: ViewContext): SectionBody | null {
  return {
    count: formatNumber(s.count),
    tone: s.count ? "warn" : s.leadTimesConfigured ? "good" : "neutral",
    note: s.count
      ? "In stock, but at the current rate they sell out before a reorder placed today arrives (days of cover below lead time); " +
        `most urgent first. The reorder covers the lead time and ${plural(s.reorderForDays, "day")} after arrival, minus the stock on hand.`
      : null,
    empty: s.leadTimesConfigured
      ? "Nothing runs out within its lead time."
      : "No lead times configured — add `forecast.leadTimes` to the rules file to see what sells out before a reorder arrives.",
    rows: s.rows.slice(0, MAX_ROWS).map((r) => [
      product(r),
      { text: formatNumber(r.quantity) },
      { text: formatRate(r.velocityPerDay) },
      { text: formatCoverDays(r.daysOfCover) },
      { text: formatRunOutDay(r.runOutAt, tz, now) },
      { text: `${formatNumber(r.leadTimeDays)} d` },
      { text: formatNumber(r.reorderQuantity) },
    ]),
    more: Math.max(0, s.count - Math.min(s.rows.length, MAX_ROWS)),
  };
}

function backInStockView(s: Sections["backInStock"], { tz, product }: ViewContext): SectionBody | null {
  return {
    count: formatNumber(s.count),
    tone: s.count ? "good" : "neutral",
    note: null,
    ...cappedRows(s.rows, (r) => [
      product(r),
      { text: formatDateTime(r.at, tz) },
      { text: r.outForMs === null ? "unknown" : formatDuration(r.outForMs) },
      { text: formatNumber(r.quantity) },
    ]),
  };
}

function topMoversView(s: Sections["topMovers"], { product }: ViewContext): SectionBody | null {
  const max = Math.max(0, ...s.rows.map((r) => r.outflow));
  return {
    count: formatNumber(s.count),
    tone: "neutral",
    note: s.count ? "Largest outflow in the period." : null,
    rows: s.rows.map((r) => [
      product(r),
      { text: "", bar: max > 0 ? r.outflow / max : 0 },
      { text: formatNumber(r.outflow) },
      { text: formatNumber(r.inflow) },
      { text: r.quantityNow === null ? "–" : formatNumber(r.quantityNow) },
    ]),
    more: 0,
  };
}

function alertsView(s: Sections["alerts"]): SectionBody {
  return {
    count: `${formatNumber(s.opened)} opened, ${formatNumber(s.resolved)} resolved`,
    tone: s.opened ? "warn" : "neutral",
    note: null,
    ...cappedRows(s.rows, (r) => [
      { text: r.rule },
      { text: r.severity },
      { text: formatNumber(r.opened) },
      { text: formatNumber(r.resolved) },
      { text: `${formatNumber(r.openNow)}${r.acknowledgedNow ? ` (${formatNumber(r.acknowledgedNow)} acknowledged in Slack)` : ""}` },
      { text: r.examples.join(", ") || "–" },
    ]),
  };
}

function eventsView(s: Sections["events"], { model, tz }: ViewContext): SectionBody | null {
  return {
    count: `${formatNumber(s.total)} · ${formatChange(s.total, s.previousTotal)}`,
    tone: "neutral",
    note: `Every webhook received, per type, compared with the period before: ${formatPeriod(model.previousPeriod, tz)}.`,
    ...cappedRows(s.rows, (r) => [
      { text: eventLabel(r.event), sub: r.event, plain: `${eventLabel(r.event)} (${r.event})` },
      { text: formatNumber(r.count) },
      { text: formatNumber(r.previous) },
      { text: formatChange(r.count, r.previous) },
    ]),
  };
}

/** Only when something failed (or is dead): a digest does not say "no delivery problems". */
function deliveriesView(s: Sections["deliveries"], { tz }: ViewContext): SectionBody | null {
  if (s.count === 0 && s.deadNow === 0) return null;
  return {
    count: plural(s.count, "message"),
    tone: "bad",
    note: `${plural(s.deadNow, "delivery", "deliveries")} dead in all. ` + "Fix the cause, then send them again with `stockwatch deliveries retry --all-dead`.",
    rows: s.rows.map((r) => [
      { text: formatDateTime(r.at, tz) },
      { text: r.channel },
      { text: r.summary, sub: r.kind, plain: `${r.summary} (${r.kind})` },
      { text: String(r.attempts) },
      { text: r.lastError ?? "–" },
    ]),
    more: Math.max(0, s.count - s.rows.length),
  };
}

/** What does not change from digest to digest: each section's title, its text when empty, its columns. */
const SECTIONS: Record<DigestSectionName, Pick<SectionView, "title" | "empty" | "columns">> = {
  soldOut: { title: "Sold out now", empty: "Nothing is sold out.", columns: [left("Product"), left("Sold out since"), right("For")] },
  low: { title: "Low now", empty: "Nothing is at or below its minimum.", columns: [left("Product"), right("Quantity"), right("Minimum"), left("Low since")] },
  runningOut: { title: "Running out soon", empty: "Nothing runs out within its lead time.", columns: [left("Product"), right("In stock"), right("Sells"), right("Lasts"), left("Runs out"), right("Lead time"), right("Reorder")] },
  backInStock: { title: "Back in stock", empty: "Nothing came back in this period.", columns: [left("Product"), left("Back at"), right("Was out for"), right("Quantity")] },
  topMovers: { title: "Biggest movers", empty: "No stock left the warehouses in this period.", columns: [left("Product"), left("Outflow"), right("Out"), right("In"), right("Left now")] },
  alerts: { title: "Alerts", empty: "No alerts opened or resolved, none open.", columns: [left("Rule"), left("Severity"), right("Opened"), right("Resolved"), right("Open now"), left("For example")] },
  events: { title: "Shop events", empty: "No events received in this period or the one before.", columns: [left("Event"), right("This period"), right("Before"), right("Change")] },
  deliveries: { title: "Delivery problems", empty: "Nothing failed in this period.", columns: [left("Given up"), left("Channel"), left("Message"), right("Tries"), left("Last error")] },
};

const VIEWS: { [K in DigestSectionName]: (section: Sections[K], c: ViewContext) => SectionBody | null } = {
  soldOut: soldOutView,
  low: lowView,
  runningOut: runningOutView,
  backInStock: backInStockView,
  topMovers: topMoversView,
  alerts: alertsView,
  events: eventsView,
  deliveries: deliveriesView,
};

/** The sections of a digest, in order, as views. Sections with nothing to show are kept (they say "nothing …"), except delivery problems. */
export function sectionViews(model: DigestModel): SectionView[] {
  const eshop = spansSeveralEshops(model);
  const context: ViewContext = {
    model,
    tz: model.timezone,
    now: model.builtAt,
    product: (p) => ({ text: eshop ? `${p.code} · e-shop ${p.eshopId}` : p.code, ...(p.name ? { sub: p.name } : {}), plain: productLabel(p, eshop) }),
  };
  const views: SectionView[] = [];
  for (const name of model.sections) {
    const section = model[name];
    const body = section ? (VIEWS[name] as (s: typeof section, c: ViewContext) => SectionBody | null)(section, context) : null;
    if (body) views.push({ name, ...SECTIONS[name], ...body });
  }
  return views;
}

/** "≈ 4.5 days", "≈ 12 days", "under 1 day": days of cover in a table cell. */
export function formatCoverDays(days: number): string {
  if (days < 1) return "under 1 day";
  const n = days < 10 ? Math.round(days * 10) / 10 : Math.round(days);
  return `≈ ${n} ${n === 1 ? "day" : "days"}`;
}

/** The headline pieces: "3 sold out", "7 low", …; the subject and the top of both parts use them. */
export function headline(model: DigestModel): string[] {
  const parts: string[] = [];
  if (model.soldOut) parts.push(`${formatNumber(model.soldOut.count)} sold out`);
  if (model.low) parts.push(`${formatNumber(model.low.count)} low`);
  // Only when there is something: "0 running out" would say little (and nothing without lead times).
  if (model.runningOut?.count) parts.push(`${formatNumber(model.runningOut.count)} running out`);
  if (parts.length === 0) {
    if (model.backInStock?.count) parts.push(`${formatNumber(model.backInStock.count)} back in stock`);
    if (model.alerts?.opened) parts.push(plural(model.alerts.opened, "alert") + " opened");
    if (model.topMovers?.count && parts.length === 0) parts.push(plural(model.topMovers.count, "product") + " moved");
    if (model.events && parts.length === 0) parts.push(plural(model.events.total, "event"));
  }
  if (model.deliveries?.count) parts.push(plural(model.deliveries.count, "failed delivery", "failed deliveries"));
  return parts.length ? parts : ["nothing to report"];
}

/** One line under the title with a figure per section: "3 sold out · 7 low · 2 back in stock · …". */
export function summaryLine(model: DigestModel): string {
  const parts: string[] = [];
  if (model.soldOut) parts.push(`${formatNumber(model.soldOut.count)} sold out`);
  if (model.low) parts.push(`${formatNumber(model.low.count)} low`);
  if (model.runningOut?.leadTimesConfigured) parts.push(`${formatNumber(model.runningOut.count)} running out`);
  if (model.backInStock) parts.push(`${formatNumber(model.backInStock.count)} back in stock`);
  if (model.alerts) parts.push(`${plural(model.alerts.opened, "alert")} opened, ${formatNumber(model.alerts.resolved)} resolved`);
  if (model.events) parts.push(plural(model.events.total, "shop event"));
  if (model.deliveries?.count) parts.push(plural(model.deliveries.count, "failed delivery", "failed deliveries"));
  return parts.join(" · ");
}
