import type { Level, ProductSnapshot, StockChange } from "../stock/stock-types.js";
import { toMilli } from "../stock/stock-types.js";
import { nextAlertState, type AlertState, type Transition } from "./alert-state.js";
import type { AlertAcknowledgement } from "./reminder-hold.js";
import { coverHolds, readCover, storeCover, type CoverReading, type ForecastLookup, type StoredForecast } from "./evaluate-cover.js";
import type { CompiledRules, QuantityCondition, StockRule } from "./rules-types.js";

export type { CoverReading, ForecastLookup, StoredForecast } from "./evaluate-cover.js";

/** An open alert as the evaluator needs it (the repository returns these, with who acknowledged it in Slack). */
export interface OpenAlert extends AlertState, AlertAcknowledgement {
  id: number;
  rule: string;
  checksum: string;
  eshopId: number;
  subject: string;
}

/** What a stock alert remembers about the product at its last evaluation. */
export interface StockAlertValues {
  name: string | null;
  quantity: number;
  minStockSupply: number | null;
  level: Level;
  /** Only the warehouses the rule looks at (`stocks`); absent for rules on the total. */
  perStock?: Record<string, number>;
  /** Days-of-cover rules: the forecast behind the decision (JSON-safe: see `StoredForecast`). */
  forecast?: StoredForecast;
  cause: string;
  changedAt: number;
}

/**
 * One decision about one (rule, product). `expire` closes an alert silently because its rule was
 * removed or its condition edited (a fresh alert may open in the same batch of decisions).
 */
export interface StockDecision {
  rule: StockRule | null;
  ruleName: string;
  eshopId: number;
  subject: string;
  transition: Transition | "expire";
  previous: OpenAlert | null;
  next: AlertState | null;
  values: StockAlertValues;
  /** Whether the transition sends messages (false for `none`, `expire`, and resolves of `resolve: false` rules). */
  notify: boolean;
}

/**
 * Evaluates one product change against every stock rule that can match it. Pure: the caller
 * passes the product's open alerts and the time. Returns decisions for every rule with an open
 * alert (so its values and suppression are kept current) or a transition.
 *
 * Sold out suppresses the rest: while the product is sold out and a `level: soldOut` rule holds
 * for it, other stock rules neither open nor remind (they stay open silently and resolve
 * normally). A rule opts out with `suppressWhenSoldOut: false`.
 *
 * A snapshot whose quantity is `estimated` changes nothing for rules with a `quantity` condition.
 */
export function evaluateStockChange(
  change: StockChange,
  rules: CompiledRules,
  openAlerts: readonly OpenAlert[],
  now: number,
  forecast?: ForecastLookup,
): StockDecision[] {
  const current = change.current;
  const candidates = rules.stockRulesFor(change.code);
  const matching: StockRule[] = [];
  for (const rule of candidates) {
    const w = rule.when;
    if (w.eshops !== null && !w.eshops.has(change.eshopId)) continue;
    if (w.products !== null && !w.products.test(change.code)) continue;
    matching.push(rule);
  }

  const decisions: StockDecision[] = [];
  const open = new Map<string, OpenAlert>();
  for (const alert of openAlerts) {
    const rule = rules.rule(alert.rule);
    if (rule && rule.kind === "stock" && rule.checksum === alert.checksum && matching.includes(rule)) {
      open.set(alert.rule, alert);
    } else {
      decisions.push({
        rule: null,
        ruleName: alert.rule,
        eshopId: alert.eshopId,
        subject: alert.subject,
        transition: "expire",
        previous: alert,
        next: null,
        values: valuesFor(change, null, null, now),
        notify: false,
      });
    }
  }
  if (matching.length === 0) return decisions;

  const covers = matching.map((rule) => (rule.when.cover === null ? null : readCover(rule, rules, current, forecast)));
  const holds = matching.map((rule, i) => conditionHolds(rule, current, covers[i]));
  let soldOutCovered = false;
  if (current.level === "soldOut") {
    soldOutCovered = matching.some((rule, i) => rule.when.level === "soldOut" && holds[i]);
  }

  matching.forEach((rule, i) => {
    const previous = open.get(rule.name) ?? null;
    // An estimated quantity (beta event, no API token) is only a bound: quantity and cover rules wait for a real reading.
    if (current.estimated && (rule.when.quantity !== null || rule.when.cover !== null)) return;
    const ruleHolds = holds[i]!;
    if (previous === null && !ruleHolds) return;
    const cover = covers[i] ?? null;
    const observation = {
      holds: ruleHolds,
      withinHysteresis: previous !== null && !ruleHolds && withinHysteresis(rule, current, cover),
      suppressed: soldOutCovered && rule.suppressWhenSoldOut && rule.when.level !== "soldOut",
    };
    const { state, transition } = nextAlertState(previous, observation, rule, now);
    if (previous === null && transition === "none") return;
    decisions.push({
      rule,
      ruleName: rule.name,
      eshopId: change.eshopId,
      subject: change.code,
      transition,
      previous,
      next: state,
      values: valuesFor(change, rule, cover, now),
      notify: transition === "open" || transition === "remind" || (transition === "resolve" && rule.resolve),
    });
  });
  return decisions;
}

/** True when the rule's whole condition holds for the snapshot (`cover`: the reading of its days-of-cover part). */
export function conditionHolds(rule: StockRule, p: ProductSnapshot, cover?: CoverReading | null): boolean {
  const w = rule.when;
  if (w.cover !== null && !coverHolds(cover)) return false;
  return stockPartHolds(rule, p);
}

/** The level and quantity part of a condition. */
function stockPartHolds(rule: StockRule, p: ProductSnapshot): boolean {
  const w = rule.when;
  if (w.level !== null) {
    const ok = w.level === "soldOut" ? p.level === "soldOut" : w.level === "low" ? p.level !== "ok" : p.level === "ok";
    if (!ok) return false;
  }
  if (w.quantity !== null) {
    const q = w.quantity;
    if (w.stocks === null) return quantityHolds(q, toMilli(p.quantity));
    for (const id of w.stocks) {
      if (quantityHolds(q, toMilli(p.perStock[id] ?? 0))) return true;
    }
    return false;
  }
  return true;
}

function quantityHolds(q: QuantityCondition, milli: number): boolean {
  if (q.below !== null && !(milli < q.below)) return false;
  if (q.atOrBelow !== null && !(milli <= q.atOrBelow)) return false;
  if (q.above !== null && !(milli > q.above)) return false;
  return true;
}

/**
 * Inside the hysteresis band: an open alert stays open although the condition is false. Each part
 * of the condition (level/quantity, days of cover) must hold or be inside its own band.
 */
function withinHysteresis(rule: StockRule, p: ProductSnapshot, cover: CoverReading | null): boolean {
  if (rule.when.cover === null) return withinQuantityBand(rule, p);
  const hasBand = rule.clearAboveMilli !== null || rule.clearBelowMilli !== null || cover?.clearDays != null;
  if (!hasBand) return false;
  const coverOk = coverHolds(cover) || (!!cover && cover.daysOfCover !== null && cover.clearDays !== null && cover.daysOfCover <= cover.clearDays);
  const onlyCover = rule.when.level === null && rule.when.quantity === null;
  return coverOk && (onlyCover || stockPartHolds(rule, p) || withinQuantityBand(rule, p));
}

/** Inside the clearAbove/clearBelow quantity band. */
function withinQuantityBand(rule: StockRule, p: ProductSnapshot): boolean {
  if (rule.clearAboveMilli === null && rule.clearBelowMilli === null) return false;
  const values =
    rule.when.stocks !== null && rule.when.quantity !== null
      ? rule.when.stocks.map((id) => toMilli(p.perStock[id] ?? 0))
      : [toMilli(p.quantity)];
  if (rule.clearAboveMilli !== null && values.some((v) => v <= rule.clearAboveMilli!)) return true;
  if (rule.clearBelowMilli !== null && values.some((v) => v >= rule.clearBelowMilli!)) return true;
  return false;
}

function valuesFor(change: StockChange, rule: StockRule | null, cover: CoverReading | null, now: number): StockAlertValues {
  const p = change.current;
  const values: StockAlertValues = {
    name: p.name,
    quantity: p.quantity,
    minStockSupply: p.minStockSupply,
    level: p.level,
    cause: change.cause.event,
    changedAt: change.at,
  };
  if (rule?.when.stocks) {
    values.perStock = Object.fromEntries(rule.when.stocks.map((id) => [id, p.perStock[id] ?? 0]));
  }
  if (cover) values.forecast = storeCover(cover, now);
  return values;
}
