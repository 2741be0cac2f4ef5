import { FORECAST_DEFAULTS, FORECAST_LIMITS } from "../forecast/forecast-types.js";
import type { Severity } from "../outbox/outbox-types.js";

/**
 * Every default and limit of the rules language, in one place. The schema, the compiler, the
 * README and `rules check` all read from here, so a default can never differ between them.
 */
export const RULE_DEFAULTS = {
  /** Timezone for quiet hours and digest schedules when the file does not set `timezone`. */
  timezone: "Europe/Prague",
  /** Severity of a rule without `severity`. */
  severity: "warning" as Severity,
  /** Alerts of one rule opening within this window go out as one message. `0s` turns it off. */
  groupMs: 30_000,
  /** Send a message when a stock alert resolves. */
  resolve: true,
  /** Reminders while a stock alert holds: none unless `repeat` is set. */
  repeatMs: null as number | null,
  /** Event rules: no cooldown, one message per matching event. */
  cooldownMs: null as number | null,
  /** A product that is sold out (and covered by a `level: soldOut` rule) silences its other stock rules. */
  suppressWhenSoldOut: true,
  /** Digests: send even when there is nothing to report. */
  skipEmpty: false,
  /** `forecast.window` and `daysOfCover.window`: days of sales history behind the velocity. */
  forecastWindowDays: FORECAST_DEFAULTS.windowDays,
  /** `forecast.minSales` and `daysOfCover.minSales`: fewer units sold in the window = no forecast. */
  minSales: FORECAST_DEFAULTS.minSales,
  /** `forecast.salesBy`: whose stock decreases count as sales. */
  salesBy: FORECAST_DEFAULTS.salesBy,
  /** `forecast.reorderFor`: the suggested reorder covers this many days after it arrives. */
  reorderForDays: FORECAST_DEFAULTS.reorderForDays,
  /** `daysOfCover.safety`: days added to the lead time. */
  safetyDays: 0,
} as const;

/** Limits that keep a hand-edited file from doing something nobody meant. */
export const RULE_LIMITS = {
  /** Bigger files are refused before parsing. */
  maxFileBytes: 1_048_576,
  /** YAML aliases expanded at most this many times (guards against "billion laughs"). */
  maxAliasCount: 100,
  /** Reminders more often than this would flood a channel. */
  minRepeatMs: 60_000,
  /** A longer group window would hold the first alert back for too long. */
  maxGroupMs: 3_600_000,
  /** Forecast windows, in whole days. */
  minForecastWindowDays: FORECAST_LIMITS.minWindowDays,
  maxForecastWindowDays: FORECAST_LIMITS.maxWindowDays,
  /** Open days-of-cover alerts are re-checked this often by the reminder tick (velocity drifts as days pass). */
  forecastRecheckMs: 15 * 60_000,
} as const;

/**
 * Sections a digest can contain; the digest builder renders them in this order, and a digest without
 * `sections` shows all of them. `runningOut`: days of cover below the lead time (see `forecast`).
 */
export const DIGEST_SECTIONS = ["soldOut", "low", "runningOut", "backInStock", "topMovers", "alerts", "events"] as const;
export type DigestSection = (typeof DIGEST_SECTIONS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export const LEVELS = ["soldOut", "low", "ok"] as const;
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Names of rules, channels and digests: they appear in dedupe and group keys, so no `:` or spaces. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
