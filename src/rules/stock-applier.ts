import type { AlertSubject, NewOutboxMessage } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ProductSnapshot, StockChange } from "../stock/stock-types.js";
import { buildAlertMessages, coverNote, forecastDetails } from "./alert-messages.js";
import type { AlertStore } from "./alert-store.js";
import { forecastLookup, type ForecastSource } from "./evaluate-cover.js";
import { evaluateStockChange, type ForecastLookup, type StockAlertValues, type StockDecision } from "./evaluate-stock.js";
import type { CompiledRules } from "./rules-types.js";
import { remindersHeld } from "./reminder-hold.js";

/** What one call of the engine did, for logs and metrics. */
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

export function emptyStats(): EngineStats {
  return { opened: 0, reminded: 0, resolved: 0, expired: 0, fired: 0, held: 0, messages: 0 };
}

export function addStats(into: EngineStats, more: EngineStats): EngineStats {
  for (const key of Object.keys(into) as (keyof EngineStats)[]) into[key] += more[key];
  return into;
}

/**
 * Applies stock decisions to the alert rows and enqueues their messages: the part of the engine
 * shared by stock changes, the pass a new rules version makes over every product, and reminders.
 * Every call runs inside the caller's write transaction.
 */
export interface StockApplier {
  /** Evaluates one product change against the rules; `only` keeps the decisions of those rules. */
  evaluate(rules: CompiledRules, change: StockChange, now: number, stats: EngineStats, only?: (ruleName: string) => boolean): void;
  apply(rules: CompiledRules, decisions: readonly StockDecision[], now: number, stats: EngineStats): void;
  send(messages: NewOutboxMessage[], stats: EngineStats): void;
  subject(eshopId: number, code: string, values: StockAlertValues, timeZone: string, now: number): AlertSubject;
  /** A change that says "nothing moved": the product as its alert last saw it. */
  unchanged(eshopId: number, code: string, last: StockAlertValues): StockChange;
}

export function createStockApplier(deps: {
  repo: AlertStore;
  clock: Clock;
  logger: Logger;
  enqueue: (message: NewOutboxMessage) => void;
  getForecast?: ForecastSource;
  /** Slack buttons on open and reminder messages (SLACK_SIGNING_SECRET is set). */
  slackActions?: boolean;
}): StockApplier {
  const { repo, clock, logger, enqueue } = deps;
  let warnedNoForecast = false;

  /** Velocity per window for one product at `now` (see forecastLookup); warns once when there is no source. */
  const lookupFor = (rules: CompiledRules, eshopId: number, code: string, now: number): ForecastLookup | undefined => {
    if (!deps.getForecast && !warnedNoForecast && rules.stockRules.some((r) => r.when.cover !== null)) {
      warnedNoForecast = true;
      logger.warn("daysOfCover rules are configured but the engine has no forecast source; they will not fire");
    }
    return forecastLookup(deps.getForecast, rules, eshopId, code, now);
  };

  const send = (messages: NewOutboxMessage[], stats: EngineStats) => {
    for (const m of messages) enqueue(m);
    stats.messages += messages.length;
  };

  const apply = (rules: CompiledRules, decisions: readonly StockDecision[], now: number, stats: EngineStats) => {
    for (const d of decisions) {
      const alertId = writeDecision(repo, rules, d, now, stats);
      const rule = d.rule;
      if (alertId === null || rule === null || d.transition === "expire") continue;
      if (d.transition !== "none") logger.debug({ rule: rule.name, subject: d.subject, transition: d.transition, alertId }, "alert");
      if (d.notify && d.transition !== "none") {
        send(
          buildAlertMessages({
            rules,
            rule,
            transition: d.transition,
            alertId,
            reminder: d.next?.reminders ?? 0,
            subject: alertSubject(d.eshopId, d.subject, d.values, rules.timezone, now),
            ...(d.values.forecast ? { cover: coverNote(d.values.forecast) } : {}),
            now: clock.now(),
            slackActions: deps.slackActions === true,
            acknowledged: d.previous?.acknowledged ?? null,
          }),
          stats,
        );
      }
    }
  };

  return {
    evaluate(rules, change, now, stats, only) {
      const lookup = lookupFor(rules, change.eshopId, change.code, now);
      const decisions = evaluateStockChange(change, rules, repo.openForSubject(change.eshopId, change.code), now, lookup);
      apply(rules, only ? decisions.filter((d) => d.rule !== null && only(d.rule.name)) : decisions, now, stats);
    },
    apply,
    send,
    subject: alertSubject,
    unchanged: unchangedChange,
  };
}

/**
 * Writes one stock decision to the alert rows and counts it; returns the alert's id when its
 * messages (if any) are to be sent, null when there is nothing to send (expired, or a reminder held
 * back because the alert was acknowledged or snoozed in Slack).
 */
function writeDecision(repo: AlertStore, rules: CompiledRules, d: StockDecision, now: number, stats: EngineStats): number | null {
  const rule = d.rule;
  if (d.transition === "expire" || rule === null) {
    if (d.previous) repo.resolve(d.previous.id, now, rules.rule(d.ruleName) ? "rule-changed" : "rule-removed");
    stats.expired++;
    return null;
  }
  if (d.transition === "open") {
    stats.opened++;
    const alert = { rule: rule.name, checksum: rule.checksum, eshopId: d.eshopId, subject: d.subject, severity: rule.severity };
    return repo.openStock({ ...alert, state: d.next!, values: d.values, now });
  }
  const alertId = d.previous!.id;
  if (d.transition === "resolve") {
    repo.resolve(alertId, now, "condition", d.values);
    stats.resolved++;
  } else if (d.transition === "remind" && remindersHeld(d.previous!, now)) {
    // Acknowledged or snoozed in Slack: no reminder, and the repeat still counts from the last one sent.
    const { lastNotifiedAt, reminders } = d.previous!;
    repo.update(alertId, { ...d.next!, lastNotifiedAt, reminders }, d.values, now);
    return null;
  } else {
    repo.update(alertId, d.next!, d.values, now);
    if (d.transition === "remind") stats.reminded++;
  }
  return alertId;
}

/** The alert's subject as messages show it: the product, its stock, and its forecast when there is one. */
export function alertSubject(eshopId: number, code: string, v: StockAlertValues, timeZone: string, now: number): AlertSubject {
  const out: AlertSubject = { eshopId, code, name: v.name, quantity: v.quantity, minStockSupply: v.minStockSupply, level: v.level };
  if (v.perStock) out.perStock = v.perStock;
  if (v.forecast) out.details = forecastDetails(v.forecast, v.quantity, timeZone, now);
  return out;
}

/** A change that says "nothing moved": the product as its alert last saw it, with the cause and time of its last change. */
export function unchangedChange(eshopId: number, code: string, last: StockAlertValues): StockChange {
  const snapshot: ProductSnapshot = {
    eshopId,
    code,
    name: last.name,
    quantity: last.quantity,
    minStockSupply: last.minStockSupply,
    level: last.level,
    perStock: last.perStock ?? {},
  };
  return { eshopId, code, previous: snapshot, current: snapshot, cause: { event: last.cause, eventId: null }, at: last.changedAt };
}
