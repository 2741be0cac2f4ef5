import type { Settings } from "../config/env.js";
import { secretsOf } from "../config/env.js";
import type { Db } from "../db/open-database.js";
import { createEventFeed } from "../events/event-feed.js";
import { SqliteCursorStore } from "../store/sqlite/cursor-store.js";
import { createNotifiers, unconfiguredTransports } from "../notifiers/notifier-registry.js";
import { createOutbox, type Outbox } from "../outbox/create-outbox.js";
import { createDeliveryWorker, type DeliveryEvent } from "../outbox/delivery-worker.js";
import { createStorageFailureReporter } from "../outbox/storage-failure-reporter.js";
import { createRulesEngine, type RulesEngine } from "../rules/rules-engine.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { ShoptetClient } from "../shoptet/shoptet-client.js";
import { tokenLookup } from "../shoptet/token-lookup.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import { createStockWorker, type StockWorker, type StockWorkerOptions } from "../stock/stock-worker.js";
import { createDigestScheduler } from "../digest/digest-scheduler.js";
import { createForecastReader } from "../forecast/forecast-reader.js";
import { createRecoveryService } from "../recovery/recovery-service.js";
import { createSupersededFilter } from "../recovery/superseded-events.js";
import { SqliteRecoveryStore } from "../store/sqlite/recovery-store.js";
import { openRulesSource, type RulesSource } from "../rules/rules-source.js";
import { asService, everyService, type Service } from "./services.js";
import { createSliceDriver } from "./slice-driver.js";
import { createActiveSilences, silenceGate } from "../silences/silence-gate.js";
import { createSilenceRelease } from "../silences/silence-release.js";

export interface PipelineOptions {
  /** Slack request timeout (tests shorten it). */
  slackTimeoutMs?: number;
  /** Delivery worker poll interval. */
  deliveryPollMs?: number;
  /** Reminder tick interval. */
  tickMs?: number;
  onDeliveryEvent?: (event: DeliveryEvent) => void;
  stock?: StockWorkerOptions;
  /** Shoptet API timeout per call. */
  shoptetTimeoutMs?: number;
}

/** Everything after the receiver: rules, outbox, delivery, and the loops that drive them. */
export interface Pipeline {
  rules: RulesSource;
  outbox: Outbox;
  engine: RulesEngine;
  stock: StockWorker;
  shoptet: ShoptetClient;
  services: Service[];
  /** After webhooks were committed: look at them soon. */
  wake(): void;
  /** A delivery was queued or re-queued from outside (dashboard, API): send it soon. */
  wakeDelivery(): void;
  /** The emergency path when the database cannot be written (logs, and tells people directly). */
  reportStorageFailure(error: unknown): void;
  /** Runs every loop until nothing is left to do now (tests, demo). */
  runUntilIdle(): Promise<void>;
  close(): Promise<void>;
}

export interface PipelineDeps {
  db: Db;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  options?: PipelineOptions;
  fetch?: typeof fetch;
  /** An already open rules source to share (in-process engine); otherwise the file is opened here. */
  rules?: RulesSource;
  /** Paces back-to-back stock jobs while webhooks pour in (see engine-core.ts). */
  pace?: () => Promise<void>;
  /** How soon the event rules look at new webhooks (later while they pour in). */
  eventRulesDelayMs?: () => number;
}

export function buildPipeline(deps: PipelineDeps): Pipeline {
  const { db, settings, clock, logger } = deps;
  const options = deps.options ?? {};
  const secrets = secretsOf(settings);
  const ownsRules = deps.rules === undefined;
  const rules = deps.rules ?? openRulesSource(settings.rulesPath, { clock, logger });

  const notifiers = createNotifiers(settings, {
    db,
    clock,
    logger,
    ...(options.slackTimeoutMs === undefined ? {} : { slackTimeoutMs: options.slackTimeoutMs }),
  });
  for (const { message } of unconfiguredTransports(settings)) logger.warn(message);

  const reporter = createStorageFailureReporter({
    logger,
    clock,
    notifiers,
    secrets,
    // Where to tell people when the database fails: every channel of the rules at startup.
    destinations: [...rules.current().channels.values()].map((c) => ({ channel: c.name, destination: c.destination })),
  });
  const delivery = createDeliveryWorker({
    db,
    clock,
    logger,
    notifiers,
    secrets,
    ...(options.deliveryPollMs === undefined ? {} : { pollMs: options.deliveryPollMs }),
    onStorageFailure: (error) => void reporter.reportStorageFailure(error),
    ...(options.onDeliveryEvent ? { onEvent: options.onDeliveryEvent } : {}),
  });
  const outbox = createOutbox(db, clock, { onEnqueued: () => delivery.wake() });

  const forecasts = createForecastReader(db);
  // Silences (src/silences/): matching alert messages are held back, and owed ones sent when they end.
  const silences = createActiveSilences(db);
  const enqueueNow = (message: Parameters<Outbox["enqueue"]>[0]) => void outbox.enqueue(message);
  const silenced = silenceGate({ db, clock, logger, silences, enqueue: enqueueNow });
  const release = createSilenceRelease({ db, clock, logger, silences, getRules: () => rules.current(), enqueue: enqueueNow, slackActions: settings.slackSigningSecret !== undefined });
  const engine = createRulesEngine({
    db,
    clock,
    logger: logger.child({ component: "rules" }),
    getRules: () => rules.current(),
    enqueue: silenced,
    getProducts: (offset, limit) => new SqliteStockReadStore(db).listProducts({ offset, limit }),
    getForecast: forecasts.velocity,
    slackActions: settings.slackSigningSecret !== undefined,
  });

  const shoptet = new ShoptetClient({
    baseUrl: settings.shoptetApiUrl,
    tokenFor: tokenLookup(settings),
    clock,
    logger: logger.child({ component: "shoptet" }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(options.shoptetTimeoutMs === undefined ? {} : { timeoutMs: options.shoptetTimeoutMs }),
  });
  const stock = createStockWorker({
    db,
    clock,
    logger: logger.child({ component: "stock" }),
    client: shoptet,
    onStockChanges: (changes) => {
      engine.onStockChanges(changes);
    },
    options: { secrets, ...options.stock },
    ...(deps.pace ? { pace: deps.pace } : {}),
  });
  // A new rules version and the reminder rounds go over every product or open alert: in short
  // transactions with pauses between, so webhook batches are never held up by them.
  const rulesWork = createSliceDriver(() => engine.step() ?? release.step(), {
    onError: (error) => logger.error({ err: (error as Error).message }, "applying rules failed; retrying in a second"),
  });
  rules.onChange(() => {
    engine.schedule("reconcile");
    rulesWork.kick();
  });

  const withoutStale = createSupersededFilter(new SqliteRecoveryStore(db)); // recovered stock events a newer one already told (see there)
  const eventRules = createEventFeed({
    cursors: new SqliteCursorStore(db),
    ...(deps.eventRulesDelayMs ? { wakeDelayMs: deps.eventRulesDelayMs } : {}),
    name: "event-rules",
    logger,
    handle: (events) => {
      engine.onEvents(withoutStale(events).map((e) => ({ id: e.id, eshopId: e.eshopId, event: e.event, eventInstance: e.eventInstance, receivedAt: e.receivedAt })));
    },
  });
  const everyTick = everyService(
    "reminders",
    options.tickMs ?? 30_000,
    () => {
      engine.schedule("tick");
      release.schedule();
      rulesWork.kick();
    },
    (error) => logger.error({ err: (error as Error).message }, "reminder tick failed"),
  );
  const ticker: Service = {
    ...everyTick,
    start() {
      everyTick.start();
      // The first pass of the rules in force (a new version since the last run) starts now.
      rulesWork.kick();
    },
    async stop() {
      await everyTick.stop();
      await rulesWork.stop();
    },
  };

  const digests = createDigestScheduler({
    db,
    clock,
    logger: logger.child({ component: "digests" }),
    getRules: () => rules.current(),
    enqueue: (message) => outbox.enqueue(message),
  });
  rules.onChange(() => digests.reload());
  const digestService: Service = {
    name: "digests",
    start() {
      digests.start().catch((error: unknown) => logger.error({ err: (error as Error).message }, "digest catch-up failed"));
    },
    stop: () => digests.stop(),
    running: () => digests.running(),
  };

  const recovery = createRecoveryService({ db, clock, logger: logger.child({ component: "recovery" }), api: shoptet, settings, secrets, wake: () => (stock.wake(), eventRules.wake()) });
  const services: Service[] = [asService("stock", stock), asService("delivery", delivery), eventRules, ticker, digestService, recovery];

  return {
    rules,
    outbox,
    engine,
    stock,
    shoptet,
    services,
    wake() {
      stock.wake();
      eventRules.wake();
    },
    wakeDelivery: () => delivery.wake(),
    reportStorageFailure: (error) => void reporter.reportStorageFailure(error),
    async runUntilIdle() {
      await stock.runUntilIdle();
      eventRules.runUntilIdle();
      engine.tick();
      release.drain();
      await delivery.runUntilIdle();
    },
    async close() {
      if (ownsRules) rules.close();
      await notifiers.email?.close?.();
    },
  };
}

