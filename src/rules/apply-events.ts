import type { AlertSubject } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import { buildAlertMessages } from "./alert-messages.js";
import type { AlertStore } from "./alert-store.js";
import { evaluateEvent, type RuleEvent } from "./evaluate-event.js";
import type { CompiledRules } from "./rules-types.js";
import type { EngineStats, StockApplier } from "./stock-applier.js";

/**
 * Event rules over stored events: one alert row (resolved as it opens) and its messages per rule
 * that fires, cooldowns per subject. Runs inside the caller's write transaction; a re-fed event
 * fires nothing twice (the alert row is unique per rule and event).
 */
export function applyEvents(
  deps: { repo: AlertStore; applier: Pick<StockApplier, "send">; clock: Clock },
  rules: CompiledRules,
  events: readonly RuleEvent[],
  stats: EngineStats,
): void {
  const { repo, applier, clock } = deps;
  if (rules.eventRules.length === 0) return;
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
      const subject: AlertSubject = { eshopId: event.eshopId, code: event.eventInstance, name: null, quantity: null, minStockSupply: null, level: null };
      applier.send(
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
}
