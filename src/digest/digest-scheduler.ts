import nodeCron from "node-cron";
import type { Db } from "../db/open-database.js";
import type { CompiledDigest } from "../rules/rules-types.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { CronSchedule } from "./cron-schedule.js";
import { createCronTasks, scheduleCache, type CronScheduleFn } from "./digest-cron-tasks.js";
import { digestDue } from "./digest-due.js";
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
  cronSchedule?: CronScheduleFn;
}

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
  const { clock } = deps;
  const log = deps.logger.child({ component: "digests" });
  const scheduleOf = scheduleCache(log);
  const cron = createCronTasks(deps.cronSchedule ?? ((expr, fn, options) => nodeCron.schedule(expr, fn, options)), log);
  const runOne = digestRunner(deps, log, scheduleOf);
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let chain: Promise<unknown> = Promise.resolve();

  const timezoneOf = (rules: DigestRules) => deps.timezone ?? rules.timezone;

  // One run at a time: a cron firing and the safety timer can land on the same instant.
  const runDue = (now: number): Promise<number> => {
    const next = chain.then(() => runEveryDue(deps, log, runOne, now));
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
    timer = setTimeout(() => {
      timer = undefined;
      reload();
      fire(clock.now());
    }, timerDelay(nextRuns(), now));
    timer.unref?.();
  }

  function reload(): void {
    if (!started) return;
    const rules = deps.getRules();
    const tz = timezoneOf(rules);
    if (!cron.set(tz, rules.digests, scheduleOf, (date) => fire(Math.max(clock.now(), date.getTime())))) return;
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
      await cron.destroy();
      await chain.catch(() => undefined);
    },
    runDue,
    reload,
    running: () => started,
    nextRuns,
  };
}

/** Runs every digest that is due at `now`, one after the other; resolves with the number of runs recorded. */
async function runEveryDue(deps: DigestSchedulerDeps, log: Logger, runOne: ReturnType<typeof digestRunner>, now: number): Promise<number> {
  const rules = deps.getRules();
  const tz = deps.timezone ?? rules.timezone;
  let runs = 0;
  for (const digest of rules.digests) {
    try {
      if (await runOne(digest, rules, tz, now)) runs++;
    } catch (error) {
      log.error({ digest: digest.name, err: coerceError(error).message }, "digest run failed");
    }
  }
  return runs;
}

/** How long the safety timer sleeps: until just after the next slot of any digest, at most MAX_TIMER_MS. */
function timerDelay(nextRuns: { at: number | null }[], now: number): number {
  const next = nextRuns.reduce<number | null>((min, r) => (r.at !== null && (min === null || r.at < min) ? r.at : min), null);
  return next === null ? MAX_TIMER_MS : Math.min(Math.max(next - now + 20, 0), MAX_TIMER_MS);
}

/** Runs one digest if digestDue says so; true when a run was recorded (queued or empty). */
function digestRunner(deps: DigestSchedulerDeps, log: Logger, scheduleOf: (expression: string) => CronSchedule | null) {
  const { db, clock } = deps;
  const repo = new SqliteDigestRunStore(db);
  return async (digest: CompiledDigest, rules: DigestRules, tz: string, now: number): Promise<boolean> => {
    const schedule = scheduleOf(digest.schedule);
    if (!schedule) return false;
    const last = repo.lastScheduled(digest.name);
    const due = digestDue({
      now,
      schedule,
      timezone: tz,
      firstSeen: repo.firstSeen(digest.name, digest.schedule, tz, now),
      last,
      firstFailedFrom: last ? null : repo.firstFailedFrom(digest.name),
    });
    if (!due) return false;
    const outcome = await runDigest(
      { db, clock, logger: log, enqueue: deps.enqueue, ...(deps.sources ? { sources: deps.sources } : {}) },
      { digest, rules, ...due, after: last?.id ?? null, honourSkipEmpty: true },
    );
    return outcome.status === "queued" || outcome.status === "empty";
  };
}
