import nodeCron, { type ScheduledTask, type TaskOptions } from "node-cron";
import type { Db } from "../db/open-database.js";
import type { CompiledDigest } from "../rules/rules-types.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { compileCron, type CronSchedule } from "./cron-schedule.js";
import type { DigestScope, DigestSources } from "./digest-sources.js";
import { SqliteDigestRunStore } from "../store/sqlite/digest-run-store.js";
import { runDigest, type DigestRules, type Enqueue } from "./run-digest.js";

export interface DigestSchedulerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The rules in force; hot reload swaps what this returns (then call reload()). */
  getRules: () => DigestRules;
  enqueue: Enqueue;
  /** Overrides the rules file's `timezone` for schedules and dates. */
  timezone?: string;
  sources?: (scope: DigestScope) => DigestSources;
  /** node-cron's `schedule`; tests may pass a stand-in. */
  cronSchedule?: (expression: string, fn: (ctx: { date: Date }) => unknown, options: TaskOptions) => Pick<ScheduledTask, "destroy">;
}

/** A run later than this after its slot is logged as a catch-up (the daemon was down or busy). */
const CATCH_UP_AFTER_MS = 5 * 60_000;
/** The safety timer wakes at least this often, so a clock jump or a lost timer costs at most this long. */
const MAX_TIMER_MS = 3_600_000;

export interface DigestScheduler {
  readonly name: "digests";
  /** Creates the cron jobs and catches up a run missed while the daemon was down; resolves with the runs made. Never rejects. */
  start(): Promise<number>;
  /** Stops the cron jobs and waits for a run in progress. */
  stop(): Promise<void>;
  /** Runs every digest whose latest slot at or before `now` has not run yet; resolves with the number of runs recorded. */
  runDue(now: number): Promise<number>;
  /** Re-reads getRules(): re-creates the cron jobs when the digests, their schedules or the timezone changed. */
  reload(): void;
  running(): boolean;
  /** The next slot of each digest (epoch ms), for logs and the dashboard. */
  nextRuns(): { digest: string; at: number | null }[];
}

/**
 * The digest scheduler. node-cron fires each digest at its schedule in the rules file's timezone;
 * every firing (and a safety timer set to the next slot, which covers wall times a DST jump skips
 * and firings node-cron reports as missed) calls runDue, which decides from the database alone:
 *
 * - a digest is due when its latest slot at or before now is newer than its last successful
 *   scheduled run, and not older than when the digest was first scheduled;
 * - its period runs from the end of that last run (first run: the slot before) to now;
 * - a run is recorded with its outbox rows in one transaction, so a restart never sends a slot or a
 *   period twice, and several missed slots are caught up by ONE run covering all of them.
 */
export function createDigestScheduler(deps: DigestSchedulerDeps): DigestScheduler {
  const { db, clock, logger } = deps;
  const log = logger.child({ component: "digests" });
  const repo = new SqliteDigestRunStore(db);
  const schedules = new Map<string, CronSchedule | null>();
  const cronSchedule = deps.cronSchedule ?? ((expr, fn, options) => nodeCron.schedule(expr, fn, options));
  let tasks: Pick<ScheduledTask, "destroy">[] = [];
  let tasksKey: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let chain: Promise<unknown> = Promise.resolve();

  const timezoneOf = (rules: DigestRules) => deps.timezone ?? rules.timezone;

  const scheduleOf = (expression: string): CronSchedule | null => {
    if (!schedules.has(expression)) {
      try {
        schedules.set(expression, compileCron(expression));
      } catch (error) {
        log.error({ schedule: expression, err: coerceError(error).message }, "digest schedule ignored");
        schedules.set(expression, null);
      }
    }
    return schedules.get(expression) ?? null;
  };

  const runOne = async (digest: CompiledDigest, rules: DigestRules, now: number): Promise<boolean> => {
    const tz = timezoneOf(rules);
    const schedule = scheduleOf(digest.schedule);
    if (!schedule) return false;
    const firstSeen = repo.firstSeen(digest.name, digest.schedule, tz, now);
    const slot = schedule.latestAtOrBefore(now, tz);
    if (slot === null || slot < firstSeen) return false;
    const last = repo.lastScheduled(digest.name);
    if (last && last.slot !== null && last.slot >= slot) return false;
    // First run: one schedule interval back, or from where a failed first attempt began.
    const oneBack = schedule.latestAtOrBefore(slot - 1, tz) ?? slot - 86_400_000;
    const from = last ? last.periodTo : Math.min(oneBack, repo.firstFailedFrom(digest.name) ?? oneBack);
    if (from >= now) return false;
    const outcome = await runDigest(
      { db, clock, logger: log, enqueue: deps.enqueue, ...(deps.sources ? { sources: deps.sources } : {}) },
      {
        digest,
        rules,
        period: { from, to: now },
        slot,
        trigger: now - slot > CATCH_UP_AFTER_MS ? "catch-up" : "schedule",
        after: last?.id ?? null,
        honourSkipEmpty: true,
      },
    );
    return outcome.status === "queued" || outcome.status === "empty";
  };

  const doRunDue = async (now: number): Promise<number> => {
    const rules = deps.getRules();
    let runs = 0;
    for (const digest of rules.digests) {
      try {
        if (await runOne(digest, rules, now)) runs++;
      } catch (error) {
        log.error({ digest: digest.name, err: coerceError(error).message }, "digest run failed");
      }
    }
    return runs;
  };

  // One run at a time: a cron firing and the safety timer can land on the same instant.
  const runDue = (now: number): Promise<number> => {
    const next = chain.then(() => doRunDue(now));
    chain = next.then(
      () => armTimer(),
      () => armTimer(),
    );
    return next;
  };

  const fire = (at: number) => {
    if (!started) return;
    runDue(at).catch((error: unknown) => log.error({ err: coerceError(error).message }, "digest run failed"));
  };

  const nextRuns = () => {
    const rules = deps.getRules();
    const tz = timezoneOf(rules);
    const now = clock.now();
    return rules.digests.map((d) => ({ digest: d.name, at: scheduleOf(d.schedule)?.nextAfter(now, tz) ?? null }));
  };

  function armTimer(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!started) return;
    const now = clock.now();
    const next = nextRuns().reduce<number | null>((min, r) => (r.at !== null && (min === null || r.at < min) ? r.at : min), null);
    const delay = next === null ? MAX_TIMER_MS : Math.min(Math.max(next - now + 20, 0), MAX_TIMER_MS);
    timer = setTimeout(() => {
      timer = undefined;
      reload();
      fire(clock.now());
    }, delay);
    timer.unref?.();
  }

  const destroyTasks = async () => {
    const old = tasks;
    tasks = [];
    tasksKey = null;
    await Promise.all(old.map(async (t) => t.destroy()));
  };

  function reload(): void {
    if (!started) return;
    const rules = deps.getRules();
    const tz = timezoneOf(rules);
    const key = JSON.stringify([tz, rules.digests.map((d) => [d.name, d.schedule])]);
    if (key === tasksKey) return;
    void destroyTasks();
    tasksKey = key;
    const cronLogger = {
      info: (m: string) => log.debug({ source: "node-cron" }, m),
      warn: (m: string) => log.debug({ source: "node-cron" }, m),
      error: (m: string | Error) => log.warn({ source: "node-cron" }, String(m)),
      debug: (m: string | Error) => log.debug({ source: "node-cron" }, String(m)),
    };
    for (const d of rules.digests) {
      if (!scheduleOf(d.schedule)) continue;
      tasks.push(
        cronSchedule(d.schedule, (ctx) => fire(Math.max(clock.now(), ctx.date.getTime())), {
          timezone: tz,
          name: `digest:${d.name}`,
          noOverlap: true,
          logger: cronLogger,
        }),
      );
    }
    log.info({ timezone: tz, digests: nextRuns().map((r) => ({ digest: r.digest, next: r.at === null ? null : new Date(r.at).toISOString() })) }, "digest schedules set");
    armTimer();
  }

  return {
    name: "digests",
    start() {
      if (started) return Promise.resolve(0);
      started = true;
      reload();
      return runDue(clock.now()).catch((error: unknown) => {
        log.error({ err: coerceError(error).message }, "digest catch-up failed");
        return 0;
      });
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await destroyTasks();
      await chain.catch(() => undefined);
    },
    runDue,
    reload,
    running: () => started,
    nextRuns,
  };
}
