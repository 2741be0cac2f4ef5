import type { Db } from "../db/open-database.js";
import type { AlertSubject, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ProductSnapshot, StockChange } from "../stock/stock-types.js";
import { buildAlertMessages, coverNote, forecastDetails } from "./alert-messages.js";
import { AlertRepo } from "./alert-repo.js";
import { nextAlertState } from "./alert-state.js";
import { forecastLookup, type ForecastSource } from "./evaluate-cover.js";
import { evaluateEvent, type RuleEvent } from "./evaluate-event.js";
import { evaluateStockChange, type ForecastLookup, type StockAlertValues, type StockDecision } from "./evaluate-stock.js";
import { RULE_LIMITS } from "./rule-defaults.js";
import type { CompiledRules, StockRule } from "./rules-types.js";

export interface RulesEngineDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The rules in force (hot reload swaps what this returns). */
  getRules: () => CompiledRules;
  /** Writes one outbox row; called inside the engine's (or the caller's) transaction. */
  enqueue: (message: NewOutboxMessage) => void;
  /**
   * Current stock of every product. When given, a new or edited stock rule is evaluated against it
   * once (so a product already sold out gets its alert without waiting for its next change).
   */
  getProducts?: () => Iterable<ProductSnapshot>;
  /**
   * Sales velocity of a product (see `createForecastReader(db).velocity`), for `daysOfCover`
   * rules; called inside the engine's transaction, so it sees the movement being applied. Without
   * it, days-of-cover rules never hold (a warning is logged once).
   */
  getForecast?: ForecastSource;
  /** How often `tick` re-checks open days-of-cover alerts (velocity drifts as days pass). Default 15 min. */
  forecastRecheckMs?: number;
}

/** What one call did, for logs and metrics. */
export interface EngineStats {
  opened: number;
  reminded: number;
  resolved: number;
  /** Closed silently because their rule was removed or its condition edited. */
  expired: number;
  /** Event rules that fired, and matching events held back by a cooldown. */
  fired: number;
  held: number;
  messages: number;
}

export interface RulesEngine {
  /** Evaluates stock changes; call inside the stock worker's transaction (safe outside one too). */
  onStockChanges(changes: readonly StockChange[]): EngineStats;
  /** Evaluates stored events against event rules; a re-fed event fires nothing twice. */
  onEvents(events: readonly RuleEvent[]): EngineStats;
  /** Sends due reminders (`repeat`) for alerts whose product has not changed; call every ~30 s. */
  tick(): EngineStats;
  /** Applies a new rules version now (otherwise done lazily on the next call): closes alerts of removed or edited rules. */
  reconcile(): EngineStats;
}

/**
 * The rules engine applies the pure decisions (evaluate-stock, evaluate-event, alert-state) to the
 * database: alert rows change and their outbox messages are enqueued in ONE transaction, so a
 * crash leaves either both or neither.
 */
export function createRulesEngine(deps: RulesEngineDeps): RulesEngine {
  const { db, clock, logger, getRules, enqueue } = deps;
  const repo = new AlertRepo(db);
  let reconciled: CompiledRules | null = null;
  const recheckMs = deps.forecastRecheckMs ?? RULE_LIMITS.forecastRecheckMs;
  let lastRecheck = -Infinity;
  let warnedNoForecast = false;

  /** Velocity per window for one product at `now` (see forecastLookup); warns once when there is no source. */
  const lookupFor = (rules: CompiledRules, eshopId: number, code: string, now: number): ForecastLookup | undefined => {
    if (!deps.getForecast && !warnedNoForecast && rules.stockRules.some((r) => r.when.cover !== null)) {
      warnedNoForecast = true;
      logger.warn("daysOfCover rules are configured but the engine has no forecast source; they will not fire");
    }
    return forecastLookup(deps.getForecast, rules, eshopId, code, now);
  };

  const inTransaction = <A extends unknown[]>(fn: (...args: A) => EngineStats) => {
    const tx = db.transaction(fn);
    // Inside the caller's transaction better-sqlite3 nests as a savepoint; outside, take the write lock up front.
    return (...args: A): EngineStats => (db.inTransaction ? tx(...args) : tx.immediate(...args));
  };

  const ensureReconciled = (stats: EngineStats): CompiledRules => {
    const rules = getRules();
    if (rules !== reconciled) {
      reconcileWith(rules, stats);
      reconciled = rules;
    }
    return rules;
  };

  const reconcileWith = (rules: CompiledRules, stats: EngineStats) => {
    const now = clock.now();
    for (const alert of repo.allOpen()) {
      const rule = rules.rule(alert.rule);
      if (rule && rule.checksum === alert.checksum && rule.kind === alert.kind) continue;
      repo.resolve(alert.id, now, rule ? "rule-changed" : "rule-removed");
      stats.expired++;
    }
    const applied = repo.appliedVersions();
    const fresh = new Set<string>();
    for (const rule of rules.rules) {
      if (applied.get(rule.name) !== rule.checksum) {
        fresh.add(rule.name);
        repo.setVersion(rule.name, rule.checksum, now);
      }
      applied.delete(rule.name);
    }
    for (const removed of applied.keys()) repo.removeVersion(removed);
    const freshStock = rules.stockRules.filter((r) => fresh.has(r.name));
    if (freshStock.length && deps.getProducts) {
      for (const product of deps.getProducts()) {
        const change: StockChange = {
          eshopId: product.eshopId,
          code: product.code,
          previous: product,
          current: product,
          cause: { event: "rules:reload", eventId: null },
          at: now,
        };
        const lookup = lookupFor(rules, product.eshopId, product.code, now);
        const decisions = evaluateStockChange(change, rules, repo.openForSubject(product.eshopId, product.code), now, lookup);
        applyStock(rules, decisions.filter((d) => d.rule !== null && fresh.has(d.rule.name)), now, stats);
      }
    }
    if (stats.expired || fresh.size) {
      logger.info({ rules: rules.rules.length, applied: [...fresh], expired: stats.expired }, "rules applied");
    }
  };

  const send = (messages: NewOutboxMessage[], stats: EngineStats) => {
    for (const m of messages) enqueue(m);
    stats.messages += messages.length;
  };

  const applyStock = (rules: CompiledRules, decisions: readonly StockDecision[], now: number, stats: EngineStats) => {
    for (const d of decisions) {
      const rule = d.rule;
      if (d.transition === "expire" || rule === null) {
        if (d.previous) repo.resolve(d.previous.id, now, rules.rule(d.ruleName) ? "rule-changed" : "rule-removed");
        stats.expired++;
        continue;
      }
      let alertId: number;
      if (d.transition === "open") {
        alertId = repo.openStock({
          rule: rule.name,
          checksum: rule.checksum,
          eshopId: d.eshopId,
          subject: d.subject,
          severity: rule.severity,
          state: d.next!,
          values: d.values,
          now,
        });
        stats.opened++;
      } else {
        alertId = d.previous!.id;
        if (d.transition === "resolve") {
          repo.resolve(alertId, now, "condition", d.values);
          stats.resolved++;
        } else {
          repo.update(alertId, d.next!, d.values, now);
          if (d.transition === "remind") stats.reminded++;
        }
      }
      if (d.transition !== "none") logger.debug({ rule: rule.name, subject: d.subject, transition: d.transition, alertId }, "alert");
      if (d.notify && d.transition !== "none") {
        const messages = buildAlertMessages({
          rules,
          rule,
          transition: d.transition,
          alertId,
          reminder: d.next?.reminders ?? 0,
          subject: stockSubject(d.eshopId, d.subject, d.values, rules.timezone, now),
          ...(d.values.forecast ? { cover: coverNote(d.values.forecast) } : {}),
          now: clock.now(),
        });
        send(messages, stats);
      }
    }
  };

  const onStockChanges = inTransaction((changes: readonly StockChange[]) => {
    const stats = emptyStats();
    const rules = ensureReconciled(stats);
    const now = clock.now();
    for (const change of changes) {
      if (rules.stockRulesFor(change.code).length === 0) continue;
      const open = repo.openForSubject(change.eshopId, change.code);
      const lookup = lookupFor(rules, change.eshopId, change.code, now);
      applyStock(rules, evaluateStockChange(change, rules, open, now, lookup), now, stats);
    }
    return stats;
  });

  const onEvents = inTransaction((events: readonly RuleEvent[]) => {
    const stats = emptyStats();
    const rules = ensureReconciled(stats);
    if (rules.eventRules.length === 0) return stats;
    for (const event of events) {
      const decisions = evaluateEvent(
        event,
        rules,
        (rule, eshopId, subject) => repo.lastFiredAt(rule.name, rule.checksum, eshopId, subject),
        event.receivedAt,
      );
      for (const { rule, fire } of decisions) {
        if (!fire) {
          repo.markHeld(rule.name, event.eshopId, event.eventInstance);
          stats.held++;
          continue;
        }
        const values = { event: event.event, instance: event.eventInstance, eventId: event.id, receivedAt: event.receivedAt };
        const alertId = repo.recordEventAlert({
          rule: rule.name,
          checksum: rule.checksum,
          eshopId: event.eshopId,
          subject: event.eventInstance,
          severity: rule.severity,
          eventId: event.id,
          values,
          now: event.receivedAt,
        });
        if (alertId === null) continue; // this event already fired this rule
        if (rule.cooldownMs !== null) repo.markFired(rule.name, rule.checksum, event.eshopId, event.eventInstance, event.receivedAt);
        stats.fired++;
        const subject: AlertSubject = {
          eshopId: event.eshopId,
          code: event.eventInstance,
          name: null,
          quantity: null,
          minStockSupply: null,
          level: null,
        };
        send(
          buildAlertMessages({
            rules,
            rule,
            transition: "open",
            alertId,
            subject,
            event: { type: event.event, instance: event.eventInstance, eventId: event.id },
            now: clock.now(),
          }),
          stats,
        );
      }
    }
    return stats;
  });

  const tick = inTransaction(() => {
    const stats = emptyStats();
    const rules = ensureReconciled(stats);
    const now = clock.now();
    const recheck = now - lastRecheck >= recheckMs;
    if (recheck) lastRecheck = now;
    for (const alert of repo.allOpen()) {
      if (alert.kind !== "stock" || alert.suppressed) continue;
      const rule = rules.rule(alert.rule) as StockRule | undefined;
      if (!rule) continue;
      const due = rule.repeatMs !== null && now - alert.lastNotifiedAt >= rule.repeatMs;
      if (rule.when.cover !== null && rule.checksum === alert.checksum && (recheck || due)) {
        // Days of cover drift without any stock change (sales age out of the window): judge again with a fresh forecast.
        recheckCover(rules, rule, alert.eshopId, alert.subject, alert.lastValues as StockAlertValues, now, stats);
        continue;
      }
      if (rule.repeatMs === null || !due) continue;
      const { state, transition } = nextAlertState(alert, { holds: true, withinHysteresis: false, suppressed: false }, rule, now);
      if (transition !== "remind" || state === null) continue;
      const values = alert.lastValues as StockAlertValues;
      repo.update(alert.id, state, values, now);
      stats.reminded++;
      send(
        buildAlertMessages({
          rules,
          rule,
          transition,
          alertId: alert.id,
          reminder: state.reminders,
          subject: stockSubject(alert.eshopId, alert.subject, values, rules.timezone, now),
          ...(values.forecast ? { cover: coverNote(values.forecast) } : {}),
          now,
        }),
        stats,
      );
    }
    return stats;
  });

  /** Re-evaluates one product's days-of-cover rule from its last known state and a fresh forecast. */
  const recheckCover = (
    rules: CompiledRules,
    rule: StockRule,
    eshopId: number,
    code: string,
    last: StockAlertValues,
    now: number,
    stats: EngineStats,
  ) => {
    const snapshot: ProductSnapshot = {
      eshopId,
      code,
      name: last.name,
      quantity: last.quantity,
      minStockSupply: last.minStockSupply,
      level: last.level,
      perStock: last.perStock ?? {},
    };
    // Nothing about the stock changed: keep the cause and time of the last change in the alert's values.
    const change: StockChange = { eshopId, code, previous: snapshot, current: snapshot, cause: { event: last.cause, eventId: null }, at: last.changedAt };
    const decisions = evaluateStockChange(change, rules, repo.openForSubject(eshopId, code), now, lookupFor(rules, eshopId, code, now));
    applyStock(rules, decisions.filter((d) => d.rule === rule), now, stats);
  };

  const reconcile = inTransaction(() => {
    const stats = emptyStats();
    reconciled = null;
    ensureReconciled(stats);
    return stats;
  });

  return { onStockChanges, onEvents, tick, reconcile };
}

function stockSubject(eshopId: number, code: string, v: StockAlertValues, timeZone: string, now: number): AlertSubject {
  const subject: AlertSubject = {
    eshopId,
    code,
    name: v.name,
    quantity: v.quantity,
    minStockSupply: v.minStockSupply,
    level: v.level,
  };
  if (v.perStock) subject.perStock = v.perStock;
  if (v.forecast) subject.details = forecastDetails(v.forecast, v.quantity, timeZone, now);
  return subject;
}

function emptyStats(): EngineStats {
  return { opened: 0, reminded: 0, resolved: 0, expired: 0, fired: 0, held: 0, messages: 0 };
}
