import type { ResolvedReason } from "./alert-store.js";
import type { CompiledRules } from "./rules-types.js";

/**
 * What a new rules version changes, decided from the rules and what is stored, without touching
 * the store. The engine (rules-engine.ts) walks the open alerts and the products in slices and
 * applies these answers.
 */

/** Whether `rules` differ from the version the last pass was started for (a new object alone is not a change; null: no pass yet). */
export function isNewRulesVersion(rules: CompiledRules, reconciled: CompiledRules | null): boolean {
  return reconciled === null || (rules !== reconciled && rules.checksum !== reconciled.checksum);
}

/** The rules whose version is new (not applied under this checksum): they are evaluated against every product. */
export function freshRules(rules: CompiledRules, applied: ReadonlyMap<string, string>): Set<string> {
  return new Set(rules.rules.filter((r) => applied.get(r.name) !== r.checksum).map((r) => r.name));
}

/** An open alert under a new rules version: kept when its rule is unchanged, else resolved, saying why. */
export function openAlertVerdict(rules: CompiledRules, alert: { rule: string; checksum: string; kind: string }): "keep" | ResolvedReason {
  const rule = rules.rule(alert.rule);
  if (rule && rule.checksum === alert.checksum && rule.kind === alert.kind) return "keep";
  return rule ? "rule-changed" : "rule-removed";
}

/** After the open alerts: every product is evaluated only when products can be read and a stock rule is fresh. */
export function needsProductPass(rules: CompiledRules, fresh: ReadonlySet<string>, canReadProducts: boolean): boolean {
  return canReadProducts && rules.stockRules.some((r) => fresh.has(r.name));
}

/** Whether a product is evaluated in the product pass: one of its stock rules is fresh. */
export function productNeedsPass(rules: CompiledRules, code: string, fresh: ReadonlySet<string>): boolean {
  return rules.stockRulesFor(code).some((r) => fresh.has(r.name));
}

/** The applied versions at the end of a pass: the fresh rules' checksums to record, the removed rules to forget. */
export function versionUpdates(
  rules: CompiledRules,
  applied: ReadonlyMap<string, string>,
  fresh: ReadonlySet<string>,
): { set: { rule: string; checksum: string }[]; remove: string[] } {
  const names = new Set(rules.rules.map((r) => r.name));
  return {
    set: rules.rules.filter((r) => fresh.has(r.name)).map((r) => ({ rule: r.name, checksum: r.checksum })),
    remove: [...applied.keys()].filter((name) => !names.has(name)),
  };
}

/** A reminder round asked for at `now`: a re-check of days-of-cover alerts when the last one is `recheckMs` old. */
export function nextRound(
  round: { cursor: number; recheck: boolean } | null,
  now: number,
  lastRecheck: number,
  recheckMs: number,
): { round: { cursor: number; recheck: boolean }; lastRecheck: number } {
  const recheck = now - lastRecheck >= recheckMs;
  // A round still under way goes on from where it is; a re-check asked for now is kept.
  return {
    round: round ? { ...round, recheck: round.recheck || recheck } : { cursor: 0, recheck },
    lastRecheck: recheck ? now : lastRecheck,
  };
}
