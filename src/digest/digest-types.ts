import type { DigestSection } from "../rules/rule-defaults.js";

/**
 * Terms of the digest: a digest is a scheduled summary of one period (from its previous successful
 * run to now). Its content is gathered from the database into a DigestModel (plain data), which a
 * pure builder turns into a subject, a plain-text and an HTML part.
 */

/** A section of a digest. `deliveries` (dead messages) is always shown when there are any. */
export type DigestSectionName = DigestSection | "deliveries";

/** The order sections appear in, in both parts. */
export const SECTION_ORDER: readonly DigestSectionName[] = ["soldOut", "low", "runningOut", "backInStock", "topMovers", "alerts", "events", "deliveries"];

/** Half-open period [from, to), epoch ms. */
export interface Period {
  from: number;
  to: number;
}

export interface ProductRef {
  eshopId: number;
  code: string;
  name: string | null;
}

export interface SoldOutRow extends ProductRef {
  /** Sold out since (epoch ms). */
  since: number;
}

export interface LowRow extends ProductRef {
  quantity: number;
  minStockSupply: number | null;
  since: number;
}

/** A product still in stock that sells out before a reorder placed now would arrive. */
export interface RunningOutRow extends ProductRef {
  quantity: number;
  /** Units sold per day (the forecast's robust estimate). */
  velocityPerDay: number;
  /** Days the stock lasts at that rate (> 0). */
  daysOfCover: number;
  /** When it sells out at that rate (epoch ms). */
  runOutAt: number;
  /** The product's lead time (`forecast.leadTimes`), days. */
  leadTimeDays: number;
  /** Units to order now to cover `reorderForDays` after the reorder arrives. */
  reorderQuantity: number;
}

/** The "running out soon" section: the most urgent first (days of cover − lead time). */
export interface RunningOutSection {
  /** Every product that qualifies (rows may be fewer). */
  count: number;
  rows: RunningOutRow[];
  /** The reorder quantities cover this many days after arrival (`forecast.reorderFor`). */
  reorderForDays: number;
  /** False when the rules file sets no `forecast.leadTimes`: the section cannot list anything. */
  leadTimesConfigured: boolean;
}

export interface BackInStockRow extends ProductRef {
  /** When it came back (epoch ms). */
  at: number;
  /** How long it had been out; null when it sold out before the history began. */
  outForMs: number | null;
  quantity: number;
}

export interface MoverRow extends ProductRef {
  /** Units that left in the period (positive). */
  outflow: number;
  inflow: number;
  movements: number;
  quantityNow: number | null;
}

export interface AlertRuleRow {
  rule: string;
  severity: string;
  opened: number;
  resolved: number;
  /** Alerts of this rule open right now (within the digest's scope). */
  openNow: number;
  /** Of those, acknowledged in Slack ("I've got this"; src/slack/). */
  acknowledgedNow?: number;
  /** A few subjects opened in the period, for the table. */
  examples: string[];
}

export interface EventCountRow {
  event: string;
  count: number;
  previous: number;
}

export interface DeadDeliveryRow {
  id: number;
  channel: string;
  kind: string;
  summary: string;
  attempts: number;
  lastError: string | null;
  /** When it was given up (epoch ms). */
  at: number;
}

/** A list section: the full count and the rows (possibly capped for display by the builder). */
export interface ListSection<T> {
  count: number;
  rows: T[];
}

/** Everything a digest says, as plain data. Times are epoch ms; `timezone` is for showing them. */
export interface DigestModel {
  digest: string;
  timezone: string;
  period: Period;
  /** The period before, of equal length (for the event comparison). */
  previousPeriod: Period;
  /** When the digest was built; "now" sections (sold out, low, running out) describe this moment. */
  builtAt: number;
  scope: { eshops: readonly number[] | null; products: readonly string[] | null };
  /** Sections selected in the rules file, in SECTION_ORDER; absent ones are not shown. */
  sections: readonly DigestSectionName[];
  soldOut?: ListSection<SoldOutRow>;
  low?: ListSection<LowRow>;
  runningOut?: RunningOutSection;
  backInStock?: ListSection<BackInStockRow>;
  topMovers?: ListSection<MoverRow>;
  alerts?: { opened: number; resolved: number; rows: AlertRuleRow[] };
  events?: { total: number; previousTotal: number; rows: EventCountRow[] };
  deliveries?: { count: number; deadNow: number; rows: DeadDeliveryRow[] };
}

/** A built digest: what goes into a DigestMessage. */
export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}
