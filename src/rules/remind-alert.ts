import { buildAlertMessages, coverNote } from "./alert-messages.js";
import type { AlertStore } from "./alert-store.js";
import { nextAlertState } from "./alert-state.js";
import type { StockAlertValues } from "./evaluate-stock.js";
import { remindersHeld } from "./reminder-hold.js";
import type { CompiledRules, StockRule } from "./rules-types.js";
import type { EngineStats, StockApplier } from "./stock-applier.js";

export type OpenAlertRow = ReturnType<AlertStore["openPage"]>[number];

/**
 * One open alert in a reminder round: a days-of-cover alert is judged again with a fresh forecast
 * (re-check due, or its repeat due); any other stock alert whose `repeat` is due gets a reminder,
 * unless acknowledged or snoozed in Slack. Runs inside the round's write transaction.
 */
export function createReminder(deps: { repo: AlertStore; applier: StockApplier; slackActions: boolean }) {
  const { repo, applier } = deps;
  return (rules: CompiledRules, alert: OpenAlertRow, now: number, recheck: boolean, stats: EngineStats): void => {
    if (alert.kind !== "stock" || alert.suppressed) return;
    const rule = rules.rule(alert.rule) as StockRule | undefined;
    if (!rule) return;
    const due = rule.repeatMs !== null && now - alert.lastNotifiedAt >= rule.repeatMs;
    const values = alert.lastValues as StockAlertValues;
    if (rule.when.cover !== null && rule.checksum === alert.checksum && (recheck || due)) {
      // Days of cover drift without any stock change (sales age out of the window): judge again with a fresh forecast.
      applier.evaluate(rules, applier.unchanged(alert.eshopId, alert.subject, values), now, stats, (name) => name === rule.name);
      return;
    }
    if (rule.repeatMs === null || !due || remindersHeld(alert, now)) return;
    const { state, transition } = nextAlertState(alert, { holds: true, withinHysteresis: false, suppressed: false }, rule, now);
    if (transition !== "remind" || state === null) return;
    repo.update(alert.id, state, values, now);
    stats.reminded++;
    applier.send(
      buildAlertMessages({
        rules,
        rule,
        transition,
        alertId: alert.id,
        reminder: state.reminders,
        subject: applier.subject(alert.eshopId, alert.subject, values, rules.timezone, now),
        ...(values.forecast ? { cover: coverNote(values.forecast) } : {}),
        now,
        slackActions: deps.slackActions,
      }),
      stats,
    );
  };
}
