import type { Db } from "../../db/open-database.js";
import { createForecastReader } from "../../forecast/forecast-reader.js";
import { parseDuration } from "../../shared/duration.js";
import { backtest, type BacktestResult, type RuleBacktest } from "../../rules/backtest.js";
import { countStoredEvents, storedEvents, storedStockHistory } from "../../rules/history-source.js";
import type { CompiledRules } from "../../rules/rules-types.js";
import { wallTimeAt } from "../../rules/zoned-time.js";
import type { Output } from "../output.js";

export interface RulesTestOptions {
  db: Db;
  /** The rules to try (usually the file being edited, loaded with loadRulesFile). */
  rules: CompiledRules;
  /** Replay from this time (epoch ms); see `resolveSince`. */
  since: number;
  now: number;
  /** Examples printed per rule (default 3). */
  examples?: number;
}

/** Default window of `rules test` when `--since` is not given. */
export const DEFAULT_SINCE = "7d";

/** `--since 7d` (a duration back from now) or `--since 2025-03-01` (a date/time): epoch ms, or undefined if unreadable. */
export function resolveSince(text: string, now: number): number | undefined {
  const ms = parseDuration(text);
  if (ms !== undefined) return now - ms;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * `stockwatch rules test [--since 7d]`: replays stored events and stock history through `rules`
 * and prints, per rule, how many alerts it would have opened, reminded and resolved, with
 * examples. Reads the database only; sends and writes nothing. `daysOfCover` rules judge each
 * change by the velocity as of that moment, from the stored daily sales (the sales of the rest of
 * that UTC day included: the summary is per day).
 */
export function runRulesTest(options: RulesTestOptions, out: Output, progress?: (done: number, total: number) => void): BacktestResult {
  const { db, rules, since, now } = options;
  const tz = rules.timezone;
  const total = rules.eventRules.length ? countStoredEvents(db, since, now) : 0;
  const history = storedStockHistory(db, since, now);
  const coverRules = rules.stockRules.some((r) => r.when.cover !== null);
  const forecasts = coverRules ? createForecastReader(db) : null;
  const result = backtest({
    rules,
    from: since,
    to: now,
    warmup: history.warmup,
    stockChanges: history.changes,
    events: storedEvents(db, since, now),
    examplesPerRule: options.examples ?? 3,
    progress: progress ? (done) => progress(done, total) : undefined,
    ...(forecasts ? { forecast: forecasts.velocity } : {}),
  });

  out.write(`Replaying ${local(since, tz)} … ${local(now, tz)} (${tz}) through ${rules.file} — nothing is sent\n`);
  out.write(`  ${result.stockChanges} stock changes${rules.eventRules.length ? `, ${result.events} events` : ""}\n\n`);
  if (rules.rules.length === 0) out.write("  (the file has no rules)\n");
  for (const r of result.rules) {
    out.write(`${r.rule} (line ${r.line}, ${r.kind} rule): ${counts(r)}\n`);
    for (const e of r.examples) out.write(`    ${local(e.at, tz)}  e-shop ${e.eshopId}  ${e.summary}\n`);
  }
  const messages = result.rules.reduce((n, r) => n + r.messages, 0);
  out.write(`\n${messages} messages in all, before grouping and quiet hours\n`);
  return result;
}

function counts(r: RuleBacktest): string {
  if (r.kind === "event") {
    return `fired ${r.opened}${r.held ? `, held by cooldown ${r.held}` : ""} — ${r.messages} messages`;
  }
  return `opened ${r.opened}, reminded ${r.reminded}, resolved ${r.resolved}${r.stillOpen ? ` (open at the end: ${r.stillOpen})` : ""} — ${r.messages} messages`;
}

function local(ms: number, tz: string): string {
  const w = wallTimeAt(ms, tz);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${p(w.month)}-${p(w.day)} ${p(w.hour)}:${p(w.minute)}`;
}
