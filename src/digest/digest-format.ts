import type { DigestModel, ProductRef } from "./digest-types.js";

/** Formatting shared by the text and HTML parts of a digest: dates in the digest's timezone, durations, numbers. */

const formatters = new Map<string, Intl.DateTimeFormat>();

function fmt(timeZone: string, options: Intl.DateTimeFormatOptions, key: string): Intl.DateTimeFormat {
  const k = `${timeZone}|${key}`;
  let f = formatters.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, ...options });
    formatters.set(k, f);
  }
  return f;
}

/** "27 Nov". */
export function formatDay(ms: number, timeZone: string): string {
  return fmt(timeZone, { day: "numeric", month: "short" }, "day").format(ms);
}

/** "Thu 27 Nov 07:00". */
export function formatDateTime(ms: number, timeZone: string): string {
  const parts = fmt(timeZone, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, "dt")
    .formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("weekday")} ${get("day")} ${get("month")} ${get("hour")}:${get("minute")}`;
}

/** "Wed 26 Nov 07:00 – Thu 27 Nov 07:00". */
export function formatPeriod(period: { from: number; to: number }, timeZone: string): string {
  return `${formatDateTime(period.from, timeZone)} – ${formatDateTime(period.to, timeZone)}`;
}

/** A duration for people: "3 d 4 h", "5 h 12 min", "12 min", "under 1 min". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return "under 1 min";
  const minutes = Math.floor(ms / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return mins > 0 ? `${hours} h ${mins} min` : `${hours} h`;
  return `${mins} min`;
}

/** Quantities: whole numbers plainly, fractions with up to 3 decimals; thousands grouped. */
export function formatNumber(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 3 });
}

/** "▲ 12 (+35%)", "▼ 3 (−20%)", "no change", "new". */
export function formatChange(now: number, before: number): string {
  if (now === before) return "no change";
  if (before === 0) return "new";
  const diff = now - before;
  const pct = Math.round((diff / before) * 100);
  return `${diff > 0 ? "▲" : "▼"} ${formatNumber(Math.abs(diff))} (${pct > 0 ? "+" : pct < 0 ? "−" : "±"}${Math.abs(pct)}%)`;
}

/** "KAV-1 Colombia 250 g" (and the e-shop when the digest spans several). */
export function productLabel(p: ProductRef, showEshop: boolean): string {
  const base = p.name ? `${p.code} ${p.name}` : p.code;
  return showEshop ? `${base} (e-shop ${p.eshopId})` : base;
}

/** True when the product rows of a digest come from more than one e-shop. */
export function spansSeveralEshops(model: DigestModel): boolean {
  const ids = new Set<number>();
  for (const list of [model.soldOut?.rows, model.low?.rows, model.runningOut?.rows, model.backInStock?.rows, model.topMovers?.rows]) {
    for (const r of list ?? []) ids.add(r.eshopId);
  }
  return ids.size > 1;
}

const PAST: Record<string, string> = {
  create: "created",
  update: "updated",
  delete: "deleted",
  cancel: "cancelled",
  paid: "paid",
  import: "imported",
  change: "changed",
  finished: "finished",
  movement: "movements",
  soldOut: "sold out",
  inStock: "back in stock",
  minStockSupplyReached: "reached minimum",
  disableOrders: "orders disabled",
  enableOrders: "orders enabled",
};

/** "order:create" → "order created"; unknown shapes are shown as they are. */
export function eventLabel(type: string): string {
  const [entity, action] = type.split(":");
  if (!entity || !action) return type;
  const words = entity.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return `${words} ${PAST[action] ?? action.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** Title of a digest as people say it: "morning digest" (a name already ending in "digest" stays). */
export function digestTitle(name: string): string {
  return /digest$/i.test(name) ? name : `${name} digest`;
}

/**
 * Rows shown per table; the count above the table is always the full one. Keeps a digest of a big
 * shop readable at a glance and its HTML well under the ~100 KB at which Gmail clips a message.
 */
export const MAX_ROWS = 30;
