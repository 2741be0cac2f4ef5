import type { StockChange } from "../stock/stock-types.js";
import { coverNote, summarize } from "./alert-messages.js";
import { nextAlertState } from "./alert-state.js";
import { evaluateEvent, type RuleEvent } from "./evaluate-event.js";
import { forecastLookup, type ForecastSource } from "./evaluate-cover.js";
import { evaluateStockChange, type OpenAlert, type StockDecision } from "./evaluate-stock.js";
import type { CompiledRules, EventRule, StockRule } from "./rules-types.js";

/** One example of what a rule would have sent. */
export interface BacktestExample {
  at: number;
  eshopId: number;
  subject: string;
  summary: string;
}

export interface RuleBacktest {
  rule: string;
  kind: "stock" | "event";
  line: number;
  opened: number;
  reminded: number;
  resolved: number;
  /** Open at the end of the replay. */
  stillOpen: number;
  /** Event rules: matching events silenced by the cooldown. */
  held: number;
  /** Messages before grouping (transition × channel). */
  messages: number;
  examples: BacktestExample[];
}

export interface BacktestResult {
  from: number;
  to: number;
  stockChanges: number;
  events: number;
  rules: RuleBacktest[];
}

export interface BacktestInput {
  rules: CompiledRules;
  from: number;
  to: number;
  /** Product state at `from`, applied silently so products already alerting do not count as new. */
  warmup?: Iterable<StockChange>;
  /** Changes in time order. */
  stockChanges: Iterable<StockChange>;
  /** Events in time order; not read at all when the file has no event rules. */
  events: Iterable<RuleEvent>;
  examplesPerRule?: number;
  /** Called now and then with the number of items replayed. */
  progress?: (done: number) => void;
  /**
   * Sales velocity of a product as of `query.now` (`createForecastReader(db).velocity`), for
   * `daysOfCover` rules; without it they never hold in the replay.
   */
  forecast?: ForecastSource;
}

type Stats = Map<string, RuleBacktest>;

/** The example an opened stock alert gives: when, where, and the message's summary line. */
function stockExample(d: StockDecision & { rule: StockRule }, at: number): BacktestExample {
  const v = d.values;
  const subject = { eshopId: d.eshopId, code: d.subject, name: v.name, quantity: v.quantity, minStockSupply: v.minStockSupply, level: v.level, ...(v.perStock ? { perStock: v.perStock } : {}) };
  const cover = v.forecast ? coverNote(v.forecast) : undefined;
  return { at, eshopId: d.eshopId, subject: d.subject, summary: summarize(d.rule, "open", subject, undefined, cover) };
}

/** Counts one stock decision of the replay (not during the warm-up). */
function countStock(s: RuleBacktest, d: StockDecision & { rule: StockRule }, at: number, maxExamples: number): void {
  if (d.transition === "none") return;
  if (d.transition === "open") s.opened++;
  if (d.transition === "remind") s.reminded++;
  if (d.transition === "resolve") s.resolved++;
  if (d.notify) s.messages += d.rule.notify.length;
  if (d.transition === "open" && s.examples.length < maxExamples) s.examples.push(stockExample(d, at));
}

/** Stock rules replayed: open alerts per product kept in memory, and the reminder tick simulated. */
function createStockReplay(rules: CompiledRules, stats: Stats, maxExamples: number, forecast: ForecastSource | undefined) {
  const open = new Map<string, OpenAlert[]>();
  const withRepeat = new Set<OpenAlert>();
  let nextId = 1;
  let nextReminderAt = Infinity;

  const apply = (decisions: StockDecision[], key: string, counting: boolean, at: number) => {
    let list = open.get(key) ?? [];
    for (const d of decisions) {
      if (d.transition === "expire" || d.rule === null) continue;
      const rule = d.rule;
      if (d.transition === "open") {
        const alert: OpenAlert = { id: nextId++, rule: rule.name, checksum: rule.checksum, eshopId: d.eshopId, subject: d.subject, ...d.next! };
        list = [...list, alert];
        if (rule.repeatMs !== null) {
          withRepeat.add(alert);
          nextReminderAt = Math.min(nextReminderAt, alert.lastNotifiedAt + rule.repeatMs);
        }
      } else if (d.transition === "resolve") {
        list = list.filter((a) => a !== d.previous);
        withRepeat.delete(d.previous!);
      } else if (d.previous && d.next) {
        Object.assign(d.previous, d.next);
        if (rule.repeatMs !== null && !d.previous.suppressed) {
          nextReminderAt = Math.min(nextReminderAt, d.previous.lastNotifiedAt + rule.repeatMs);
        }
      }
      if (counting) countStock(stats.get(rule.name)!, { ...d, rule }, at, maxExamples);
    }
    if (list.length) open.set(key, list);
    else open.delete(key);
  };

  // The live engine's tick reminds alerts whose product did not change; simulate it up to `t`.
  const remindUntil = (t: number) => {
    if (t < nextReminderAt) return;
    nextReminderAt = Infinity;
    for (const alert of withRepeat) {
      const rule = rules.rule(alert.rule) as StockRule;
      const repeat = rule.repeatMs!;
      if (alert.suppressed) continue;
      while (alert.lastNotifiedAt + repeat <= t) {
        const at = alert.lastNotifiedAt + repeat;
        const { state } = nextAlertState(alert, { holds: true, withinHysteresis: false, suppressed: false }, rule, at);
        Object.assign(alert, state);
        const s = stats.get(rule.name)!;
        s.reminded++;
        s.messages += rule.notify.length;
      }
      nextReminderAt = Math.min(nextReminderAt, alert.lastNotifiedAt + repeat);
    }
  };

  const evaluate = (change: StockChange, counting: boolean) => {
    const key = `${change.eshopId}\u0000${change.code}`;
    const lookup = forecastLookup(forecast, rules, change.eshopId, change.code, change.at);
    const decisions = evaluateStockChange(change, rules, open.get(key) ?? [], change.at, lookup);
    if (decisions.length) apply(decisions, key, counting, change.at);
  };

  return {
    /** Product state at `from`, applied silently; alerts already open count their reminders from `from`. */
    warmUp(changes: Iterable<StockChange>, from: number) {
      for (const change of changes) evaluate({ ...change, at: from }, false);
      for (const alert of withRepeat) alert.lastNotifiedAt = from;
      nextReminderAt = withRepeat.size ? from : Infinity;
    },
    replay(change: StockChange) {
      remindUntil(change.at);
      evaluate(change, true);
    },
    /** Reminders up to `to`, then the alerts still open. */
    finish(to: number) {
      remindUntil(to);
      for (const list of open.values()) for (const a of list) stats.get(a.rule)!.stillOpen++;
    },
  };
}

/** Event rules replayed, with cooldowns per rule keyed by e-shop and subject; returns the number of events read. */
function replayEvents(rules: CompiledRules, stats: Stats, events: Iterable<RuleEvent>, maxExamples: number, tick: () => void): number {
  const cooldowns = new Map<EventRule, Map<string, number>>();
  for (const rule of rules.eventRules) cooldowns.set(rule, new Map());
  let count = 0;
  if (!rules.eventRules.length) return 0;
  for (const event of events) {
    count++;
    tick();
    if (rules.eventRulesFor(event.event).length === 0) continue;
    const subjectKey = `${event.eshopId}\u0000${event.eventInstance}`;
    const decisions = evaluateEvent(event, rules, (rule) => cooldowns.get(rule)!.get(subjectKey) ?? null, event.receivedAt);
    for (const { rule, fire } of decisions) {
      const s = stats.get(rule.name)!;
      if (!fire) {
        s.held++;
        continue;
      }
      if (rule.cooldownMs !== null) cooldowns.get(rule)!.set(subjectKey, event.receivedAt);
      s.opened++;
      s.messages += rule.notify.length;
      if (s.examples.length < maxExamples) {
        const subject = { eshopId: event.eshopId, code: event.eventInstance, name: null, quantity: null, minStockSupply: null, level: null };
        s.examples.push({ at: event.receivedAt, eshopId: event.eshopId, subject: event.eventInstance, summary: summarize(rule, "open", subject, { type: event.event, instance: event.eventInstance }) });
      }
    }
  }
  return count;
}

/**
 * Replays history through the rules in memory, with the same pure decisions the engine uses and a
 * simulated reminder tick, and counts per rule what would have been sent. Writes and sends nothing.
 */
export function backtest(input: BacktestInput): BacktestResult {
  const { rules } = input;
  const maxExamples = input.examplesPerRule ?? 3;
  const stats: Stats = new Map();
  for (const r of rules.rules) {
    stats.set(r.name, { rule: r.name, kind: r.kind, line: r.line, opened: 0, reminded: 0, resolved: 0, stillOpen: 0, held: 0, messages: 0, examples: [] });
  }
  let done = 0;
  const tickProgress = () => {
    if (++done % 50_000 === 0) input.progress?.(done);
  };

  const stock = createStockReplay(rules, stats, maxExamples, input.forecast);
  stock.warmUp(input.warmup ?? [], input.from);
  let stockChanges = 0;
  for (const change of input.stockChanges) {
    stock.replay(change);
    stockChanges++;
    tickProgress();
  }
  stock.finish(input.to);

  const events = replayEvents(rules, stats, input.events, maxExamples, tickProgress);
  input.progress?.(done);
  return { from: input.from, to: input.to, stockChanges, events, rules: [...stats.values()] };
}
