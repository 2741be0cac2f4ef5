import type { Db } from "../db/open-database.js";
import { writeTransaction } from "../db/write-transaction.js";
import type { NewOutboxMessage } from "../outbox/outbox-types.js";
import { buildAlertMessages, coverNote } from "../rules/alert-messages.js";
import { SqliteAlertStore } from "../store/sqlite/alert-store.js";
import type { StockAlertValues } from "../rules/evaluate-stock.js";
import type { CompiledRules } from "../rules/rules-types.js";
import { createStockApplier } from "../rules/stock-applier.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ActiveSilences } from "./silence-gate.js";
import { coveringSilence } from "./silence-match.js";
import { SqliteSilenceStore } from "../store/sqlite/silence-store.js";
import type { PendingAlert, SilenceStore } from "./silence-store.js";

/**
 * When a silence ends (its time is up, or `silence expire`), what still holds is said once: every
 * open alert whose open message a silence held back, and that no silence covers any more, gets that
 * open message now (as if it had just opened; reminders count from now). Alerts that opened and
 * resolved within the silence owe nothing. Runs with the engine's reminder round: `schedule` on
 * every tick, then `step` until null, one short write transaction per page.
 */
export interface SilenceRelease {
  schedule(): void;
  /** One page of the round; null when there is nothing (more) to do. Takes the write lock only to send. */
  step(): { released: number } | null;
  /** A whole round now (tests, runUntilIdle). */
  drain(): number;
}

const PAGE = 100;

export function createSilenceRelease(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  getRules: () => CompiledRules;
  silences: ActiveSilences;
  /** The outbox's enqueue (not the silence gate: these messages are the ones owed). */
  enqueue: (message: NewOutboxMessage) => void;
  /** Slack buttons on the owed open messages, as on any open message (SLACK_SIGNING_SECRET set). */
  slackActions?: boolean;
}): SilenceRelease {
  const { db, clock, logger } = deps;
  const repo: SilenceStore = new SqliteSilenceStore(db);
  const subjects = createStockApplier({ repo: new SqliteAlertStore(db), clock, logger, enqueue: deps.enqueue });
  /** The last alert id looked at in this round; null: no round scheduled. */
  let cursor: number | null = null;

  /** Whether the alert may speak now: no silence covers it, its rule is the one it opened under, nothing suppresses it. */
  const sendable = (rules: CompiledRules, alert: PendingAlert, now: number): boolean => {
    if (alert.kind !== "stock" || alert.suppressed) return false;
    const rule = rules.rule(alert.rule);
    // A rule removed or edited: the engine's rules pass resolves the alert (and sends nothing for it).
    if (!rule || rule.checksum !== alert.checksum) return false;
    return coveringSilence(deps.silences.at(now), { rule: alert.rule, eshopId: alert.eshopId, subject: alert.subject }, now) === null;
  };

  const send = writeTransaction(db, "silences:release", (rules: CompiledRules, alerts: readonly PendingAlert[], now: number): number => {
    let released = 0;
    for (const alert of alerts) {
      const rule = rules.rule(alert.rule)!;
      if (!repo.release(alert.id, now)) continue;
      const values = alert.lastValues as StockAlertValues;
      const messages = buildAlertMessages({
        rules,
        rule,
        transition: "open",
        alertId: alert.id,
        subject: subjects.subject(alert.eshopId, alert.subject, values, rules.timezone, now),
        ...(values.forecast ? { cover: coverNote(values.forecast) } : {}),
        now,
        slackActions: deps.slackActions === true,
      });
      for (const m of messages) deps.enqueue(m);
      released++;
    }
    return released;
  });

  const step = (): { released: number } | null => {
    if (cursor === null) return null;
    const rules = deps.getRules();
    const now = clock.now();
    // Read without the write lock: most rounds find nothing owed, or only alerts still silenced.
    const page = repo.pendingPage(cursor, PAGE);
    if (page.length === 0) {
      cursor = null;
      return null;
    }
    cursor = page[page.length - 1]!.id;
    if (page.length < PAGE) cursor = null;
    const due = page.filter((a) => sendable(rules, a, now));
    const released = due.length ? send(rules, due, now) : 0;
    if (released) logger.info({ released }, "silence over: sent the open messages it held back for alerts that still hold");
    return { released };
  };

  return {
    schedule() {
      cursor ??= 0;
    },
    step,
    drain() {
      let total = 0;
      cursor ??= 0;
      for (let s = step(); s !== null; s = step()) total += s.released;
      return total;
    },
  };
}
