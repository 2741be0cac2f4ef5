import type { Db } from "../db/open-database.js";
import { createDigestScheduler } from "../digest/digest-scheduler.js";
import { createEventFeed, type EventFeed } from "../events/event-feed.js";
import type { Outbox } from "../outbox/create-outbox.js";
import { createSupersededFilter } from "../recovery/superseded-events.js";
import { SqliteCursorStore } from "../store/sqlite/cursor-store.js";
import { SqliteRecoveryStore } from "../store/sqlite/recovery-store.js";
import type { RulesEngine } from "../rules/rules-engine.js";
import type { RulesSource } from "../rules/rules-source.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { SilenceRelease } from "../silences/silence-release.js";
import { everyService, type Service } from "./services.js";
import { createSliceDriver } from "./slice-driver.js";

/** The event rules: every stored webhook, once, in order (recovered stock events a newer one already told are dropped). */
export function eventRulesFeed(deps: { db: Db; logger: Logger; rulesEngine: RulesEngine; delayMs: () => number }): EventFeed {
  const withoutStale = createSupersededFilter(new SqliteRecoveryStore(deps.db));
  return createEventFeed({
    cursors: new SqliteCursorStore(deps.db),
    wakeDelayMs: deps.delayMs,
    name: "event-rules",
    logger: deps.logger,
    handle: (events) => {
      deps.rulesEngine.onEvents(
        withoutStale(events).map((e) => ({ id: e.id, eshopId: e.eshopId, event: e.event, eventInstance: e.eventInstance, receivedAt: e.receivedAt })),
      );
    },
  });
}

/**
 * The reminder rounds and a new rules version's pass go over every product or open alert: in short
 * transactions with pauses between (a slice driver), so webhook batches are never held up by them.
 * Ticks every `tickMs`; the first pass of the rules in force (a new version since the last run)
 * starts with the service.
 */
export function reminderService(deps: { rules: RulesSource; rulesEngine: RulesEngine; release: SilenceRelease; logger: Logger; tickMs: number }): Service {
  const { rulesEngine, release, logger } = deps;
  const rulesWork = createSliceDriver(() => rulesEngine.step() ?? release.step(), {
    onError: (error) => logger.error({ err: (error as Error).message }, "applying rules failed; retrying in a second"),
  });
  deps.rules.onChange(() => {
    rulesEngine.schedule("reconcile");
    rulesWork.kick();
  });
  const everyTick = everyService(
    "reminders",
    deps.tickMs,
    () => {
      rulesEngine.schedule("tick");
      release.schedule();
      rulesWork.kick();
    },
    (error) => logger.error({ err: (error as Error).message }, "reminder tick failed"),
  );
  return {
    ...everyTick,
    start() {
      everyTick.start();
      rulesWork.kick();
    },
    async stop() {
      await everyTick.stop();
      await rulesWork.stop();
    },
  };
}

/** The digest scheduler as a service; a new rules version reloads its schedules. */
export function digestService(deps: { db: Db; clock: Clock; logger: Logger; rules: RulesSource; outbox: Outbox }): Service {
  const { logger, rules, outbox } = deps;
  const digests = createDigestScheduler({
    db: deps.db,
    clock: deps.clock,
    logger: logger.child({ component: "digests" }),
    getRules: () => rules.current(),
    enqueue: (message) => outbox.enqueue(message),
  });
  rules.onChange(() => digests.reload());
  return {
    name: "digests",
    start() {
      digests.start().catch((error: unknown) => logger.error({ err: (error as Error).message }, "digest catch-up failed"));
    },
    stop: () => digests.stop(),
    running: () => digests.running(),
  };
}
