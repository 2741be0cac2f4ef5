import type { Db } from "../db/open-database.js";
import { WRITE_BUDGET_MS, writeTransaction } from "../db/write-transaction.js";
import type { NewOutboxMessage } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { ProductSnapshot, StockChange } from "../stock/stock-types.js";
import { SqliteAlertStore } from "../store/sqlite/alert-store.js";
import type { ForecastSource } from "./evaluate-cover.js";
import type { RuleEvent } from "./evaluate-event.js";
import { applyEvents } from "./apply-events.js";
import { RULE_LIMITS } from "./rule-defaults.js";
import { createReminder } from "./remind-alert.js";
import type { CompiledRules } from "./rules-types.js";
import { addStats, createStockApplier, emptyStats, type EngineStats } from "./stock-applier.js";

export type { EngineStats } from "./stock-applier.js";

export interface RulesEngineDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The rules in force (hot reload swaps what this returns). */
  getRules: () => CompiledRules;
  /** Writes one outbox row; called inside the engine's (or the caller's) transaction. */
  enqueue: (message: NewOutboxMessage) => void;
  /**
   * Current stock of the products, a page at a time in a stable order. When given, a new or edited
   * stock rule is evaluated against every product once (so a product already sold out gets its
   * alert without waiting for its next change), a slice of products per transaction.
   */
  getProducts?: (offset: number, limit: number) => readonly ProductSnapshot[];
  /**
   * Sales velocity of a product (see `createForecastReader(db).velocity`), for `daysOfCover`
   * rules; called inside the engine's transaction, so it sees the movement being applied. Without
   * it, days-of-cover rules never hold (a warning is logged once).
   */
  getForecast?: ForecastSource;
  /** Slack buttons on open and reminder messages: SLACK_SIGNING_SECRET is set (src/slack/ acts on them). */
  slackActions?: boolean;
  /** How often `tick` re-checks open days-of-cover alerts (velocity drifts as days pass). Default 15 min. */
  forecastRecheckMs?: number;
  /** How long one slice of the work below may hold the write lock. Default WRITE_BUDGET_MS. */
  sliceBudgetMs?: number;
  /** At most this many products or alerts per slice, whatever the time (tests make it small). Default 5,000. */
  maxSliceItems?: number;
}

export interface RulesEngine {
  /** Evaluates stock changes; call inside the stock worker's transaction (safe outside one too). */
  onStockChanges(changes: readonly StockChange[]): EngineStats;
  /** Evaluates stored events against event rules; a re-fed event fires nothing twice. */
  onEvents(events: readonly RuleEvent[]): EngineStats;
  /** Sends due reminders (`repeat`) for alerts whose product has not changed, all of them now (tests, CLI). */
  tick(): EngineStats;
  /** Applies a new rules version now, all of it (tests, CLI): closes alerts of removed or edited rules, evaluates new ones. */
  reconcile(): EngineStats;
  /**
   * Asks for a reminder round ("tick") or a rules pass ("reconcile") without doing it: the work is
   * then done by `step`, one short transaction at a time (the daemon pauses between steps, so
   * webhook batches get the write lock).
   */
  schedule(work: "tick" | "reconcile"): void;
  /** Does one slice of the scheduled work in its own transaction; null when nothing is left. */
  step(): EngineStats | null;
}

/** A new rules version being applied: first the open alerts, then every product, then the versions. */
interface Pass {
  rules: CompiledRules;
  phase: "alerts" | "products" | "versions";
  /** Alert id or product offset reached. */
  cursor: number;
  /** Rules whose version is new: evaluated against every product. */
  fresh: Set<string>;
  expired: number;
}

/** A round of reminders over the open alerts. */
interface Round {
  cursor: number;
  recheck: boolean;
}

/**
 * The rules engine applies the pure decisions (evaluate-stock, evaluate-event, alert-state) to the
 * database: alert rows change and their outbox messages are enqueued in ONE transaction, so a
 * crash leaves either both or neither. Work over every product or every open alert (a new rules
 * version, reminders) is cut into slices of at most `sliceBudgetMs` each, so the engine never holds
 * the write lock for long whatever the rules or the shop's size.
 */
export function createRulesEngine(deps: RulesEngineDeps): RulesEngine {
  const { db, clock, logger, getRules } = deps;
  const repo = new SqliteAlertStore(db);
  const applier = createStockApplier({ repo, clock, logger, enqueue: deps.enqueue, ...(deps.getForecast ? { getForecast: deps.getForecast } : {}), slackActions: deps.slackActions === true });
  const recheckMs = deps.forecastRecheckMs ?? RULE_LIMITS.forecastRecheckMs;
  const budgetMs = deps.sliceBudgetMs ?? WRITE_BUDGET_MS;
  const maxItems = deps.maxSliceItems ?? 5000;
  let lastRecheck = -Infinity;
  /** The rules version the pass was started for (null: none yet, a pass is due). */
  let reconciled: CompiledRules | null = null;
  let pass: Pass | null = null;
  let round: Round | null = null;

  const startPass = (rules: CompiledRules) => {
    reconciled = rules;
    const applied = repo.appliedVersions();
    const fresh = new Set(rules.rules.filter((r) => applied.get(r.name) !== r.checksum).map((r) => r.name));
    pass = { rules, phase: "alerts", cursor: 0, fresh, expired: 0 };
  };

  /** Starts a pass when the rules changed, and does as much of it as one slice allows. */
  /** Whether these rules differ from the version the last pass was started for (a new object alone is not a change). */
  const isNew = (rules: CompiledRules) => reconciled === null || (rules !== reconciled && rules.checksum !== reconciled.checksum);

  const ensureReconciled = (stats: EngineStats): CompiledRules => {
    const rules = getRules();
    if (isNew(rules)) {
      startPass(rules);
      passSlice(stats, performance.now() + budgetMs);
    }
    return rules;
  };

  /** Works on the pass until the deadline or the item limit; true when the pass is over. */
  const passSlice = (stats: EngineStats, deadline: number): boolean => {
    const p = pass;
    if (!p) return true;
    const { rules } = p;
    const now = clock.now();
    let items = 0;
    // At least one page per slice, so that work always moves on, however small the budget.
    const more = () => items === 0 || (items < maxItems && performance.now() < deadline);
    while (p.phase === "alerts" && more()) {
      const limit = Math.min(200, maxItems - items);
      const page = repo.openPage(p.cursor, limit);
      for (const alert of page) {
        p.cursor = alert.id;
        items++;
        const rule = rules.rule(alert.rule);
        if (rule && rule.checksum === alert.checksum && rule.kind === alert.kind) continue;
        repo.resolve(alert.id, now, rule ? "rule-changed" : "rule-removed");
        stats.expired++;
        p.expired++;
      }
      if (page.length < limit) {
        p.phase = deps.getProducts && rules.stockRules.some((r) => p.fresh.has(r.name)) ? "products" : "versions";
        p.cursor = 0;
      }
    }
    while (p.phase === "products" && more()) {
      // Small pages: a product's evaluation may read its forecast.
      const limit = Math.min(50, maxItems - items);
      const page = deps.getProducts!(p.cursor, limit);
      for (const product of page) {
        items++;
        if (!rules.stockRulesFor(product.code).some((r) => p.fresh.has(r.name))) continue;
        const change: StockChange = {
          eshopId: product.eshopId,
          code: product.code,
          previous: product,
          current: product,
          cause: { event: "rules:reload", eventId: null },
          at: now,
        };
        applier.evaluate(rules, change, now, stats, (name) => p.fresh.has(name));
      }
      p.cursor += page.length;
      if (page.length < limit) p.phase = "versions";
    }
    if (p.phase !== "versions") return false;
    const applied = repo.appliedVersions();
    for (const rule of rules.rules) {
      if (p.fresh.has(rule.name)) repo.setVersion(rule.name, rule.checksum, now);
      applied.delete(rule.name);
    }
    for (const removed of applied.keys()) repo.removeVersion(removed);
    if (p.expired || p.fresh.size) logger.info({ rules: rules.rules.length, applied: [...p.fresh], expired: p.expired }, "rules applied");
    pass = null;
    return true;
  };

  /** Reminders and forecast re-checks for the open alerts after the round's cursor, until the deadline. */
  const roundSlice = (stats: EngineStats, deadline: number): boolean => {
    const r = round;
    if (!r) return true;
    const rules = getRules();
    const now = clock.now();
    let items = 0;
    while (items === 0 || (items < maxItems && performance.now() < deadline)) {
      const limit = Math.min(100, maxItems - items);
      const page = repo.openPage(r.cursor, limit);
      for (const alert of page) {
        r.cursor = alert.id;
        items++;
        remindOne(rules, alert, now, r.recheck, stats);
      }
      if (page.length < limit) {
        round = null;
        return true;
      }
    }
    return false;
  };

  const remindOne = createReminder({ repo, applier, slackActions: deps.slackActions === true });

  const onStockChanges = writeTransaction(db, "rules:stock", (changes: readonly StockChange[]) => {
    const stats = emptyStats();
    const rules = ensureReconciled(stats);
    const now = clock.now();
    for (const change of changes) {
      if (rules.stockRulesFor(change.code).length === 0) continue;
      applier.evaluate(rules, change, now, stats);
    }
    return stats;
  });

  const onEvents = writeTransaction(db, "rules:events", (events: readonly RuleEvent[]) => {
    const stats = emptyStats();
    const rules = ensureReconciled(stats);
    applyEvents({ repo, applier, clock }, rules, events, stats);
    return stats;
  });

  /** One slice: the rules pass first (reminders must judge with the rules in force), then the round. */
  // One transaction per kind of slice, so the lock-hold metrics say which one held it.
  const passTx = writeTransaction(db, "rules:pass", (): EngineStats => {
    const stats = emptyStats();
    const rules = getRules();
    if (isNew(rules)) startPass(rules);
    passSlice(stats, performance.now() + budgetMs);
    return stats;
  });
  const roundTx = writeTransaction(db, "rules:reminders", (): EngineStats => {
    const stats = emptyStats();
    roundSlice(stats, performance.now() + budgetMs);
    return stats;
  });
  // Nothing to do is found out without taking the write lock.
  const slice = (): EngineStats | null => {
    if (pass !== null || isNew(getRules())) return passTx();
    return round !== null ? roundTx() : null;
  };

  const schedule = (work: "tick" | "reconcile") => {
    if (work === "reconcile") {
      reconciled = null;
      return;
    }
    const now = clock.now();
    const recheck = now - lastRecheck >= recheckMs;
    if (recheck) lastRecheck = now;
    // A round still under way goes on from where it is; a re-check asked for now is kept.
    round = round ? { ...round, recheck: round.recheck || recheck } : { cursor: 0, recheck };
  };

  const drain = (): EngineStats => {
    const total = emptyStats();
    for (let s = slice(); s !== null; s = slice()) addStats(total, s);
    return total;
  };

  return {
    onStockChanges,
    onEvents,
    tick() {
      schedule("tick");
      return drain();
    },
    reconcile() {
      schedule("reconcile");
      return drain();
    },
    schedule,
    step: slice,
  };
}
