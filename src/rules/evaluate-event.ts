import type { CompiledRules, EventRule } from "./rules-types.js";

/** A stored webhook as the rules see it. */
export interface RuleEvent {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  /** Epoch ms. */
  receivedAt: number;
}

/** One matching (event rule, event): `fire` false when the subject is inside its cooldown. */
export interface EventDecision {
  rule: EventRule;
  event: RuleEvent;
  fire: boolean;
}

/**
 * Event rules: one message per matching event, except that with `cooldown` a subject (the event
 * instance: order code, product code, …) gets at most one message per cooldown. `lastFiredAt`
 * answers when this rule last fired for that subject (null: never, or before the rule changed).
 */
export function evaluateEvent(
  event: RuleEvent,
  rules: CompiledRules,
  lastFiredAt: (rule: EventRule, eshopId: number, subject: string) => number | null,
  now: number,
): EventDecision[] {
  const candidates = rules.eventRulesFor(event.event);
  if (candidates.length === 0) return [];
  const decisions: EventDecision[] = [];
  for (const rule of candidates) {
    const w = rule.when;
    if (w.eshops !== null && !w.eshops.has(event.eshopId)) continue;
    if (w.instances !== null && !w.instances.test(event.eventInstance)) continue;
    let fire = true;
    if (rule.cooldownMs !== null) {
      const last = lastFiredAt(rule, event.eshopId, event.eventInstance);
      fire = last === null || now - last >= rule.cooldownMs;
    }
    decisions.push({ rule, event, fire });
  }
  return decisions;
}
