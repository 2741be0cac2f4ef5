import type { ScheduledTask, TaskOptions } from "node-cron";
import type { CompiledDigest } from "../rules/rules-types.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { compileCron, type CronSchedule } from "./cron-schedule.js";

export type CronScheduleFn = (expression: string, fn: (ctx: { date: Date }) => unknown, options: TaskOptions) => Pick<ScheduledTask, "destroy">;

/** Compiles each cron expression once; an invalid one is logged once and gives null (the digest is ignored). */
export function scheduleCache(log: Logger): (expression: string) => CronSchedule | null {
  const schedules = new Map<string, CronSchedule | null>();
  return (expression) => {
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
}

/**
 * The node-cron jobs of the digests, one per digest with a valid schedule, re-created only when the
 * digests, their schedules or the timezone change.
 */
export function createCronTasks(cronSchedule: CronScheduleFn, log: Logger) {
  let tasks: Pick<ScheduledTask, "destroy">[] = [];
  let tasksKey: string | null = null;
  const cronLogger = {
    info: (m: string) => log.debug({ source: "node-cron" }, m),
    warn: (m: string) => log.debug({ source: "node-cron" }, m),
    error: (m: string | Error) => log.warn({ source: "node-cron" }, String(m)),
    debug: (m: string | Error) => log.debug({ source: "node-cron" }, String(m)),
  };

  const destroy = async (): Promise<void> => {
    const old = tasks;
    tasks = [];
    tasksKey = null;
    await Promise.all(old.map(async (t) => t.destroy()));
  };

  /** Sets the jobs for these digests; false when they are the ones already set (nothing changed). */
  const set = (
    timezone: string,
    digests: readonly CompiledDigest[],
    scheduleOf: (expression: string) => CronSchedule | null,
    fire: (at: Date) => void,
  ): boolean => {
    const key = JSON.stringify([timezone, digests.map((d) => [d.name, d.schedule])]);
    if (key === tasksKey) return false;
    void destroy();
    tasksKey = key;
    for (const d of digests) {
      if (!scheduleOf(d.schedule)) continue;
      tasks.push(cronSchedule(d.schedule, (ctx) => fire(ctx.date), { timezone, name: `digest:${d.name}`, noOverlap: true, logger: cronLogger }));
    }
    return true;
  };

  return { set, destroy };
}
