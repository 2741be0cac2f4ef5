import type { ForecastSettings } from "../forecast/forecast-types.js";
import type { Destination, Severity } from "../outbox/outbox-types.js";
import type { Level } from "../stock/stock-types.js";
import type { GlobMatcher } from "./glob.js";
import type { QuietPeriod } from "./quiet-hours.js";
import type { DigestSection } from "./rule-defaults.js";

/**
 * Terms of the rules language after loading: a file is parsed, validated and compiled once into
 * CompiledRules; evaluation then only reads these frozen structures.
 */

/** One problem in a rules file, pointing at the node to fix. Lines and columns are 1-based. */
export interface RuleError {
  file: string;
  line: number;
  col: number;
  /** YAML path like `rules[1].notify[0]`; "" for the file as a whole. */
  path: string;
  /** What is wrong and how to fix it. */
  message: string;
}

/** `file:line:col: path: message`, the one format `rules check`, hot reload and startup print. */
export function formatRuleError(e: RuleError, label = ""): string {
  return `${e.file}:${e.line}:${e.col}: ${label}${e.path ? `${e.path}: ` : ""}${e.message}`;
}

export type LoadResult =
  | { ok: true; rules: CompiledRules; warnings: RuleError[] }
  | { ok: false; errors: RuleError[]; warnings: RuleError[] };

export interface CompiledChannel {
  name: string;
  destination: Destination;
  quietHours: readonly QuietPeriod[];
}

/** Quantity thresholds in integer thousandths (see `toMilli`); all given ones must hold. */
export interface QuantityCondition {
  below: number | null;
  atOrBelow: number | null;
  above: number | null;
}

/**
 * `daysOfCover`: holds when the product's stock lasts fewer days than the threshold at its sales
 * velocity — a fixed number of days, or its lead time plus safety (`belowLeadTime`).
 */
export interface CoverCondition {
  /** Fixed threshold in days; null with belowLeadTime. */
  belowDays: number | null;
  belowLeadTime: boolean;
  /** Days added to the lead time. */
  safetyDays: number;
  /** Hysteresis for `below`: an open alert stays open while the cover is at or below this. */
  clearAboveDays: number | null;
  /** Hysteresis for `belowLeadTime`: stays open while the cover is at or below lead time + safety + this. */
  clearMarginDays: number | null;
  windowDays: number;
  minSales: number;
}

export interface StockCondition {
  level: Level | null;
  quantity: QuantityCondition | null;
  /** Days-of-cover condition; null for rules without one. */
  cover: CoverCondition | null;
  /** Warehouse ids: the quantity condition applies to each of them; it holds when any matches. */
  stocks: readonly string[] | null;
  products: GlobMatcher | null;
  eshops: ReadonlySet<number> | null;
}

export interface EventCondition {
  events: GlobMatcher;
  /** Globs on the event instance (order code, product code, …). */
  instances: GlobMatcher | null;
  eshops: ReadonlySet<number> | null;
}

interface RuleBase {
  name: string;
  description: string | null;
  severity: Severity;
  notify: readonly string[];
  groupMs: number;
  /** Changes when the rule's condition changes; open alerts of an older checksum are closed. */
  checksum: string;
  /** Where the rule starts in the file. */
  line: number;
}

export interface StockRule extends RuleBase {
  kind: "stock";
  when: StockCondition;
  repeatMs: number | null;
  resolve: boolean;
  /** Hysteresis in thousandths: an open alert stays open while the quantity is at or below this. */
  clearAboveMilli: number | null;
  /** Hysteresis for `above`/`ok` rules: stays open while the quantity is at or above this. */
  clearBelowMilli: number | null;
  suppressWhenSoldOut: boolean;
}

export interface EventRule extends RuleBase {
  kind: "event";
  when: EventCondition;
  cooldownMs: number | null;
}

export type CompiledRule = StockRule | EventRule;

export interface CompiledDigest {
  name: string;
  /** Cron expression (5 or 6 fields), evaluated in `CompiledRules.timezone`. */
  schedule: string;
  notify: readonly string[];
  sections: readonly DigestSection[];
  eshops: readonly number[] | null;
  products: GlobMatcher | null;
  skipEmpty: boolean;
}

/**
 * Stock rules in a prefix tree keyed by the literal start of their product globs ("KAV-" of
 * "KAV-*"): a code visits only the nodes along its own characters, so 1,000 product-family rules
 * cost a handful of candidates. The root holds rules that may match any code.
 */
export interface PrefixNode {
  rules: readonly StockRule[];
  children: ReadonlyMap<string, PrefixNode>;
}

export interface StockRuleIndex {
  root: PrefixNode;
}

/** The file's `forecast:` block, with defaults applied. */
export interface CompiledForecast {
  settings: ForecastSettings;
  /** `leadTimes` in file order: the first whose products match a code gives its lead time. */
  leadTimes: readonly { products: GlobMatcher; leadTimeDays: number }[];
  /** Lead time of a product in days, or null when no entry matches it. */
  leadTimeFor(code: string): number | null;
}

export interface CompiledRules {
  file: string;
  /** sha256 of the file text: unchanged text means nothing to reload. */
  checksum: string;
  timezone: string;
  channels: ReadonlyMap<string, CompiledChannel>;
  rules: readonly CompiledRule[];
  stockRules: readonly StockRule[];
  eventRules: readonly EventRule[];
  digests: readonly CompiledDigest[];
  forecast: CompiledForecast;
  stockIndex: StockRuleIndex;
  /** Stock rules that can match `code`, in file order, without duplicates. */
  stockRulesFor(code: string): readonly StockRule[];
  /** Event rules whose `event` matches the type (memoised per type). */
  eventRulesFor(eventType: string): readonly EventRule[];
  rule(name: string): CompiledRule | undefined;
  channel(name: string): CompiledChannel | undefined;
}
