import { createHash } from "node:crypto";
import type { ForecastSettings } from "../forecast/forecast-types.js";
import { parseDuration } from "../shared/duration.js";
import { toMilli } from "../stock/stock-types.js";
import { compileGlobList, type GlobMatcher } from "./glob.js";
import { makeQuietPeriod } from "./quiet-hours.js";
import { DIGEST_SECTIONS, RULE_DEFAULTS } from "./rule-defaults.js";
import type { ChannelInput, DaysOfCoverInput, ForecastInput, RuleInput, RulesFile } from "./rule-schema.js";
import type {
  CompiledChannel,
  CompiledDigest,
  CompiledForecast,
  CoverCondition,
  CompiledRule,
  CompiledRules,
  EventRule,
  PrefixNode,
  StockRule,
  StockRuleIndex,
} from "./rules-types.js";

/**
 * Turns a validated rules file into CompiledRules: defaults applied (from rule-defaults.ts only),
 * globs compiled, durations in ms, quantities in thousandths, and stock rules indexed by the first
 * character of their product globs so one change looks only at rules that can match it.
 * Call only after the schema and cross-checks passed.
 */
export function compileRules(input: RulesFile, file: string, text: string, lineOf: (path: PropertyKey[]) => number): CompiledRules {
  const channels = new Map<string, CompiledChannel>();
  for (const [name, c] of Object.entries(input.channels)) channels.set(name, compileChannel(name, c));

  const forecast = compileForecast(input.forecast);
  const rules: CompiledRule[] = (input.rules ?? []).map((r, i) => compileRule(r, lineOf(["rules", i]), forecast.settings));
  const stockRules = rules.filter((r): r is StockRule => r.kind === "stock");
  const eventRules = rules.filter((r): r is EventRule => r.kind === "event");
  const byName = new Map(rules.map((r) => [r.name, r]));

  const digests: CompiledDigest[] = (input.digests ?? []).map((d) => ({
    name: d.name,
    schedule: d.schedule,
    notify: toList(d.notify),
    sections: d.sections ?? [...DIGEST_SECTIONS],
    eshops: d.eshops === undefined ? null : toList(d.eshops),
    products: d.products === undefined ? null : globs(toList(d.products)),
    skipEmpty: d.skipEmpty ?? RULE_DEFAULTS.skipEmpty,
  }));

  const stockIndex = indexStockRules(stockRules);
  const order = new Map(stockRules.map((r, i) => [r, i]));
  const eventMemo = new Map<string, readonly EventRule[]>();

  return Object.freeze({
    file,
    checksum: sha256(text),
    timezone: input.timezone ?? RULE_DEFAULTS.timezone,
    channels,
    rules,
    stockRules,
    eventRules,
    digests,
    forecast,
    stockIndex,
    stockRulesFor: (code: string) => candidates(stockIndex.root, code, order),
    eventRulesFor: (eventType: string) => {
      let found = eventMemo.get(eventType);
      if (!found) {
        found = eventRules.filter((r) => r.when.events.test(eventType));
        // Event types are a small set; the cap only guards against a flood of made-up types.
        if (eventMemo.size < 10_000) eventMemo.set(eventType, found);
      }
      return found;
    },
    rule: (name: string) => byName.get(name),
    channel: (name: string) => channels.get(name),
  });
}

function compileChannel(name: string, c: ChannelInput): CompiledChannel {
  const quiet = c.quietHours === undefined ? [] : Array.isArray(c.quietHours) ? c.quietHours : [c.quietHours];
  return {
    name,
    destination: c.type === "slack" ? { type: "slack", channel: c.channel } : { type: "email", to: toList(c.to) },
    quietHours: quiet.map((q) => makeQuietPeriod(q.from, q.to, q.days)),
  };
}

const DAY_MS = 86_400_000;
const toDays = (text: string) => parseDuration(text)! / DAY_MS;

function compileForecast(f: ForecastInput | undefined): CompiledForecast {
  const settings: ForecastSettings = Object.freeze({
    windowDays: f?.window === undefined ? RULE_DEFAULTS.forecastWindowDays : toDays(f.window),
    minSales: f?.minSales ?? RULE_DEFAULTS.minSales,
    salesBy: Object.freeze(f?.salesBy === undefined ? [...RULE_DEFAULTS.salesBy] : [...new Set(toList(f.salesBy))]),
    reorderForDays: f?.reorderFor === undefined ? RULE_DEFAULTS.reorderForDays : toDays(f.reorderFor),
  });
  const leadTimes = (f?.leadTimes ?? []).map((l) => ({ products: globs(toList(l.products)), leadTimeDays: toDays(l.leadTime) }));
  const memo = new Map<string, number | null>();
  return Object.freeze({
    settings,
    leadTimes,
    leadTimeFor(code: string): number | null {
      let days = memo.get(code);
      if (days === undefined) {
        days = leadTimes.find((l) => l.products.test(code))?.leadTimeDays ?? null;
        // Product codes are bounded by the catalogue; the cap only guards memory.
        if (memo.size < 200_000) memo.set(code, days);
      }
      return days;
    },
  });
}

function compileCover(c: DaysOfCoverInput, settings: ForecastSettings): CoverCondition {
  return {
    belowDays: c.below ?? null,
    belowLeadTime: c.belowLeadTime === true,
    safetyDays: c.safety === undefined ? RULE_DEFAULTS.safetyDays : toDays(c.safety),
    clearAboveDays: c.clearAbove ?? null,
    clearMarginDays: c.clearMargin === undefined ? null : toDays(c.clearMargin),
    windowDays: c.window === undefined ? settings.windowDays : toDays(c.window),
    minSales: c.minSales ?? settings.minSales,
  };
}

function compileRule(r: RuleInput, line: number, forecast: ForecastSettings): CompiledRule {
  const base = {
    name: r.name,
    description: r.description ?? null,
    severity: r.severity ?? RULE_DEFAULTS.severity,
    notify: toList(r.notify),
    groupMs: r.group === undefined ? RULE_DEFAULTS.groupMs : parseDuration(r.group)!,
    checksum: ruleChecksum(r, forecast),
    line,
  };
  const w = r.when;
  const eshops = w.eshops === undefined ? null : new Set(toList(w.eshops));
  if (w.event !== undefined) {
    return {
      ...base,
      kind: "event",
      when: {
        events: globs(toList(w.event)),
        instances: w.instances === undefined ? null : globs(toList(w.instances)),
        eshops,
      },
      cooldownMs: r.cooldown === undefined ? RULE_DEFAULTS.cooldownMs : parseDuration(r.cooldown)!,
    };
  }
  const q = w.quantity;
  return {
    ...base,
    kind: "stock",
    when: {
      level: w.level ?? null,
      quantity:
        q === undefined
          ? null
          : {
              below: q.below === undefined ? null : toMilli(q.below),
              atOrBelow: q.atOrBelow === undefined ? null : toMilli(q.atOrBelow),
              above: q.above === undefined ? null : toMilli(q.above),
            },
      cover: w.daysOfCover === undefined ? null : compileCover(w.daysOfCover, forecast),
      stocks: w.stocks === undefined ? null : w.stocks.map(String),
      products: w.products === undefined ? null : globs(toList(w.products)),
      eshops,
    },
    repeatMs: r.repeat === undefined ? RULE_DEFAULTS.repeatMs : parseDuration(r.repeat)!,
    resolve: r.resolve ?? RULE_DEFAULTS.resolve,
    clearAboveMilli: r.clearAbove === undefined ? null : toMilli(r.clearAbove),
    clearBelowMilli: r.clearBelow === undefined ? null : toMilli(r.clearBelow),
    suppressWhenSoldOut: r.suppressWhenSoldOut ?? RULE_DEFAULTS.suppressWhenSoldOut,
  };
}

/**
 * The part of a rule that decides WHEN it holds. Editing it starts the rule fresh (its open alerts
 * are closed silently); editing only notify, severity, repeat, group, resolve or description keeps
 * them, so re-wording a rule does not re-send every open alert. A days-of-cover rule also depends
 * on the file's forecast settings (window, minSales, salesBy); lead times are not part of it
 * (editing them re-judges open alerts at the product's next change, without closing them).
 */
export function ruleChecksum(r: RuleInput, forecast?: ForecastSettings): string {
  const w = r.when;
  const canonical: Record<string, unknown> = {
    when: {
      level: w.level ?? null,
      quantity: w.quantity ?? null,
      products: w.products === undefined ? null : toList(w.products),
      stocks: w.stocks?.map(String) ?? null,
      event: w.event === undefined ? null : toList(w.event),
      instances: w.instances === undefined ? null : toList(w.instances),
      eshops: w.eshops === undefined ? null : toList(w.eshops),
    },
    clearAbove: r.clearAbove ?? null,
    clearBelow: r.clearBelow ?? null,
    suppressWhenSoldOut: r.suppressWhenSoldOut ?? RULE_DEFAULTS.suppressWhenSoldOut,
  };
  // Only present for days-of-cover rules, so the checksums of every other rule stay as they were.
  if (w.daysOfCover !== undefined) {
    const c = compileCover(w.daysOfCover, forecast ?? { ...FORECAST_FALLBACK });
    canonical.daysOfCover = { ...c, salesBy: [...(forecast?.salesBy ?? RULE_DEFAULTS.salesBy)].sort() };
  }
  return sha256(stableJson(canonical)).slice(0, 16);
}

const FORECAST_FALLBACK: ForecastSettings = {
  windowDays: RULE_DEFAULTS.forecastWindowDays,
  minSales: RULE_DEFAULTS.minSales,
  salesBy: RULE_DEFAULTS.salesBy,
  reorderForDays: RULE_DEFAULTS.reorderForDays,
};

interface MutableNode {
  rules: StockRule[];
  children: Map<string, MutableNode>;
}

function indexStockRules(rules: readonly StockRule[]): StockRuleIndex {
  const root: MutableNode = { rules: [], children: new Map() };
  for (const rule of rules) {
    const prefixes = rule.when.products?.prefixes ?? [""];
    // A rule sits at the shortest of its prefixes that are prefixes of each other, once per branch.
    const distinct = [...new Set(prefixes)].sort((a, b) => a.length - b.length);
    const kept = distinct.filter((p, i) => !distinct.slice(0, i).some((q) => p.startsWith(q)));
    for (const prefix of kept) {
      let node = root;
      for (const ch of prefix) {
        let next = node.children.get(ch);
        if (!next) node.children.set(ch, (next = { rules: [], children: new Map() }));
        node = next;
      }
      node.rules.push(rule);
    }
  }
  return { root };
}

/** Rules whose prefix starts `code`, in file order. */
function candidates(root: PrefixNode, code: string, order: ReadonlyMap<StockRule, number>): readonly StockRule[] {
  let found: (readonly StockRule[])[] | null = null;
  let single: readonly StockRule[] = root.rules;
  let node: PrefixNode | undefined = root;
  for (let i = 0; i < code.length; i++) {
    node = node.children.get(code[i]!);
    if (!node) break;
    if (node.rules.length === 0) continue;
    if (single.length === 0) single = node.rules;
    else (found ??= [single]).push(node.rules);
  }
  if (!found) return single;
  // Prefixes of one rule never nest (see indexStockRules), so no rule appears twice.
  return found.flat().sort((a, b) => order.get(a)! - order.get(b)!);
}

function globs(patterns: readonly string[]): GlobMatcher {
  const result = compileGlobList(patterns);
  if (!result.ok) throw new Error(`glob did not compile after validation: ${result.errors[0]!.message}`);
  return result.matcher;
}

function toList<T>(value: T | readonly T[]): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
