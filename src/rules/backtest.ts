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

/**
 * Replays history through the rules in memory, with the same pure decisions the engine uses and a
 * simulated reminder tick, and counts per rule what would have been sent. Writes and sends nothing.
 */
export function backtest(input: BacktestInput): BacktestResult {
  const { rules } = input;
  const maxExamples = input.examplesPerRule ?? 3;
  const stats = new Map<string, RuleBacktest>();
  for (const r of rules.rules) {
    stats.set(r.name, { rule: r.name, kind: r.kind, line: r.line, opened: 0, reminded: 0, resolved: 0, stillOpen: 0, held: 0, messages: 0, examples: [] });
  }
  let done = 0;
  const tickProgress = () => {
    if (++done % 50_000 === 0) input.progress?.(done);
  };

  // Stock rules: open alerts per product, kept in memory.
  const open = new Map<string, OpenAlert[]>();
  const withRepeat = new Set<OpenAlert>();
  let nextId = 1;
  let nextReminderAt = Infinity;

  const apply = (decisions: StockDecision[], key: string, counting: boolean, at: number) => {
    let list = open.get(key) ?? [];
    for (const d of decisions) {
      if (d.transition === "expire" || d.rule === null) continue;
      const rule = d.rule;
      const s = stats.get(rule.name)!;
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
      if (!counting || d.transition === "none") continue;
      if (d.transition === "open") s.opened++;
      if (d.transition === "remind") s.reminded++;
      if (d.transition === "resolve") s.resolved++;
      if (d.notify) s.messages += rule.notify.length;
      if (d.transition === "open" && s.examples.length < maxExamples) {
        const subject = { eshopId: d.eshopId, code: d.subject, name: d.values.name, quantity: d.values.quantity, minStockSupply: d.values.minStockSupply, level: d.values.level, ...(d.values.perStock ? { perStock: d.values.perStock } : {}) };
        const cover = d.values.forecast ? coverNote(d.values.forecast) : undefined;
        s.examples.push({ at, eshopId: d.eshopId, subject: d.subject, summary: summarize(rule, "open", subject, undefined, cover) });
      }
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
      if (!alert.suppressed) {
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
    }
  };

  const evaluate = (change: StockChange, counting: boolean) => {
    const key = `${change.eshopId}\u0000${change.code}`;
    const lookup = forecastLookup(input.forecast, rules, change.eshopId, change.code, change.at);
    const decisions = evaluateStockChange(change, rules, open.get(key) ?? [], change.at, lookup);
    if (decisions.length) apply(decisions, key, counting, change.at);
  };

  for (const change of input.warmup ?? []) evaluate({ ...change, at: input.from }, false);
  // Alerts already open at the start count their reminders from the start of the replay.
  for (const alert of withRepeat) alert.lastNotifiedAt = input.from;
  nextReminderAt = withRepeat.size ? input.from : Infinity;

  let stockChanges = 0;
  for (const change of input.stockChanges) {
    remindUntil(change.at);
    evaluate(change, true);
    stockChanges++;
    tickProgress();
  }
  remindUntil(input.to);
  for (const list of open.values()) for (const a of list) stats.get(a.rule)!.stillOpen++;

  // Event rules: cooldowns per rule, keyed by e-shop and subject.
  const cooldowns = new Map<EventRule, Map<string, number>>();
  const eventStats = new Map<EventRule, RuleBacktest>();
  for (const rule of rules.eventRules) {
    cooldowns.set(rule, new Map());
    eventStats.set(rule, stats.get(rule.name)!);
  }
  let events = 0;
  if (rules.eventRules.length) {
    for (const event of input.events) {
      events++;
      tickProgress();
      if (rules.eventRulesFor(event.event).length === 0) continue;
      const subjectKey = `${event.eshopId}\u0000${event.eventInstance}`;
      const decisions = evaluateEvent(event, rules, (rule) => cooldowns.get(rule)!.get(subjectKey) ?? null, event.receivedAt);
      for (const { rule, fire } of decisions) {
        const s = eventStats.get(rule)!;
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
  }
  input.progress?.(done);
  return { from: input.from, to: input.to, stockChanges, events, rules: [...stats.values()] };
}
