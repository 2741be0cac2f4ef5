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
import { freshRules, isNewRulesVersion, needsProductPass, nextRound, openAlertVerdict, productNeedsPass, versionUpdates } from "./reconcile-rules.js";
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

interface SliceDeps {
  deps: RulesEngineDeps;
  repo: SqliteAlertStore;
  applier: ReturnType<typeof createStockApplier>;
  maxItems: number;
}

/** A new rules version, applied a slice at a time: the open alerts, then every product, then the versions. */
function createRulesPass({ deps, repo, applier, maxItems }: SliceDeps) {
  const { clock, logger } = deps;
  /** The rules version the pass was started for (null: none yet, a pass is due). */
  let reconciled: CompiledRules | null = null;
  let pass: Pass | null = null;

  const start = (rules: CompiledRules) => {
    reconciled = rules;
    pass = { rules, phase: "alerts", cursor: 0, fresh: freshRules(rules, repo.appliedVersions()), expired: 0 };
  };

  const alertsPage = (p: Pass, limit: number, now: number, stats: EngineStats): number => {
    const page = repo.openPage(p.cursor, limit);
    for (const alert of page) {
      p.cursor = alert.id;
      const verdict = openAlertVerdict(p.rules, alert);
      if (verdict === "keep") continue;
      repo.resolve(alert.id, now, verdict);
      stats.expired++;
      p.expired++;
    }
    if (page.length < limit) {
      p.phase = needsProductPass(p.rules, p.fresh, deps.getProducts !== undefined) ? "products" : "versions";
      p.cursor = 0;
    }
    return page.length;
  };

  const productsPage = (p: Pass, limit: number, now: number, stats: EngineStats): number => {
    const page = deps.getProducts!(p.cursor, limit);
    for (const product of page) {
      if (!productNeedsPass(p.rules, product.code, p.fresh)) continue;
      const cause = { event: "rules:reload", eventId: null };
      const change: StockChange = { eshopId: product.eshopId, code: product.code, previous: product, current: product, cause, at: now };
      applier.evaluate(p.rules, change, now, stats, (name) => p.fresh.has(name));
    }
    p.cursor += page.length;
    if (page.length < limit) p.phase = "versions";
    return page.length;
  };

  const finish = (p: Pass, now: number) => {
    const updates = versionUpdates(p.rules, repo.appliedVersions(), p.fresh);
    for (const { rule, checksum } of updates.set) repo.setVersion(rule, checksum, now);
    for (const removed of updates.remove) repo.removeVersion(removed);
    if (p.expired || p.fresh.size) logger.info({ rules: p.rules.rules.length, applied: [...p.fresh], expired: p.expired }, "rules applied");
    pass = null;
  };

  /** Works on the pass until the deadline or the item limit; true when the pass is over. */
  const slice = (stats: EngineStats, deadline: number): boolean => {
    const p = pass;
    if (!p) return true;
    const now = clock.now();
    let items = 0;
    // At least one page per slice, so that work always moves on, however small the budget.
    const more = () => items === 0 || (items < maxItems && performance.now() < deadline);
    while (p.phase === "alerts" && more()) items += alertsPage(p, Math.min(200, maxItems - items), now, stats);
    // Small pages: a product's evaluation may read its forecast.
    while (p.phase === "products" && more()) items += productsPage(p, Math.min(50, maxItems - items), now, stats);
    if (p.phase !== "versions") return false;
    finish(p, now);
    return true;
  };

  return {
    start,
    slice,
    isNew: (rules: CompiledRules) => isNewRulesVersion(rules, reconciled),
    pending: () => pass !== null,
    /** Makes the next slice start a pass over the rules in force. */
    forget: () => {
      reconciled = null;
    },
  };
}

/** Rounds of reminders and forecast re-checks over the open alerts, a slice at a time. */
function createReminderRounds({ deps, repo, applier, maxItems }: SliceDeps) {
  const recheckMs = deps.forecastRecheckMs ?? RULE_LIMITS.forecastRecheckMs;
  const remindOne = createReminder({ repo, applier, slackActions: deps.slackActions === true });
  let lastRecheck = -Infinity;
  let round: Round | null = null;

  /** Reminders and forecast re-checks for the open alerts after the round's cursor, until the deadline. */
  const slice = (stats: EngineStats, deadline: number): boolean => {
    const r = round;
    if (!r) return true;
    const rules = deps.getRules();
    const now = deps.clock.now();
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

  const schedule = () => {
    ({ round, lastRecheck } = nextRound(round, deps.clock.now(), lastRecheck, recheckMs));
  };

  return { slice, schedule, pending: () => round !== null };
}

/**
 * The rules engine applies the pure decisions (evaluate-stock, evaluate-event, alert-state,
 * reconcile-rules) to the database: alert rows change and their outbox messages are enqueued in
 * ONE transaction, so a crash leaves either both or neither. Work over every product or every open
 * alert (a new rules version, reminders) is cut into slices of at most `sliceBudgetMs` each, so the
 * engine never holds the write lock for long whatever the rules or the shop's size.
 */
export function createRulesEngine(deps: RulesEngineDeps): RulesEngine {
  const { db, clock, getRules } = deps;
  const repo = new SqliteAlertStore(db);
  const applier = createStockApplier({ repo, clock, logger: deps.logger, enqueue: deps.enqueue, ...(deps.getForecast ? { getForecast: deps.getForecast } : {}), slackActions: deps.slackActions === true });
  const budgetMs = deps.sliceBudgetMs ?? WRITE_BUDGET_MS;
  const sliceDeps: SliceDeps = { deps, repo, applier, maxItems: deps.maxSliceItems ?? 5000 };
  const pass = createRulesPass(sliceDeps);
  const rounds = createReminderRounds(sliceDeps);

  /** Starts a pass when the rules changed, and does as much of it as one slice allows. */
  const ensureReconciled = (stats: EngineStats): CompiledRules => {
    const rules = getRules();
    if (pass.isNew(rules)) {
      pass.start(rules);
      pass.slice(stats, performance.now() + budgetMs);
    }
    return rules;
  };

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
    if (pass.isNew(rules)) pass.start(rules);
    pass.slice(stats, performance.now() + budgetMs);
    return stats;
  });
  const roundTx = writeTransaction(db, "rules:reminders", (): EngineStats => {
    const stats = emptyStats();
    rounds.slice(stats, performance.now() + budgetMs);
    return stats;
  });
  // Nothing to do is found out without taking the write lock.
  const slice = (): EngineStats | null => {
    if (pass.pending() || pass.isNew(getRules())) return passTx();
    return rounds.pending() ? roundTx() : null;
  };

  const schedule = (work: "tick" | "reconcile") => (work === "reconcile" ? pass.forget() : rounds.schedule());

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
