import type { ForecastSettings } from "../forecast/forecast-types.js";
import type {
  AlertRuleRow,
  BackInStockRow,
  DeadDeliveryRow,
  LowRow,
  MoverRow,
  RunningOutRow,
  SoldOutRow,
} from "./digest-types.js";

/**
 * DigestSources is what the digest reads, already narrowed to one digest's scope (its `eshops` and
 * `products`). Periods are half-open [from, to) in epoch ms. Methods may answer synchronously
 * (SQLite) or with a promise (a PostgreSQL store); gatherDigest awaits either.
 */
export interface DigestSources {
  /** Products sold out now, longest first. */
  soldOutNow(): Awaitable<SoldOutRow[]>;
  /** Products at or below their minimum (and above 0) now, longest first. */
  lowNow(): Awaitable<LowRow[]>;
  /**
   * Products still in stock whose days of cover at `now` are below their lead time, the most urgent
   * first (cover − lead time): the full count and at most `limit` rows.
   */
  runningOutSoon(now: number, forecast: DigestForecast, limit: number): Awaitable<{ count: number; rows: RunningOutRow[] }>;
  /** Products that came back from sold out in the period, in order. */
  backInStock(from: number, to: number): Awaitable<BackInStockRow[]>;
  /** Alerts opened and resolved in the period, per rule, with the number open now. */
  alertsByRule(from: number, to: number): Awaitable<AlertRuleRow[]>;
  /** The `n` products with the largest outflow in the period, biggest first. */
  topMovers(from: number, to: number, n: number): Awaitable<MoverRow[]>;
  /** Stored events per type in the period (every type, known or not). */
  eventCounts(from: number, to: number): Awaitable<Map<string, number>>;
  /** Deliveries that died in the period (newest first, at most `limit`), their total, and how many are dead now. */
  deadDeliveries(from: number, to: number, limit?: number): Awaitable<{ total: number; deadNow: number; rows: DeadDeliveryRow[] }>;
}

export type Awaitable<T> = T | Promise<T>;

/** What "running out soon" needs from the rules file's `forecast:` block; CompiledForecast fits. */
export interface DigestForecast {
  settings: ForecastSettings;
  /** `leadTimes` as written; none means the section cannot list anything. */
  leadTimes: readonly unknown[];
  /** Lead time of a product in days, or null when no entry matches it. */
  leadTimeFor(code: string): number | null;
}

/** Which e-shops and product codes a digest covers; null = all. */
export interface DigestScope {
  eshops: readonly number[] | null;
  /** Product code test (a compiled glob list); null = every product. */
  products: { test(code: string): boolean } | null;
}
