import type { Settings } from "../config/env.js";
import { secretsOf } from "../config/env.js";
import type { Db } from "../db/open-database.js";
import { createEventFeed } from "../events/event-feed.js";
import type { ApiView } from "../http/api-routes.js";
import { QueryError } from "../http/query.js";
import { createNotifiers, unconfiguredTransports } from "../notifiers/notifier-registry.js";
import { createOutbox, type Outbox } from "../outbox/create-outbox.js";
import { answerDeliveries } from "../outbox/deliveries-query.js";
import { createDeliveryWorker, type DeliveryEvent } from "../outbox/delivery-worker.js";
import { createStorageFailureReporter } from "../outbox/storage-failure-reporter.js";
import { listAlerts } from "../rules/alert-repo.js";
import { createRulesEngine, type RulesEngine } from "../rules/rules-engine.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { ShoptetClient } from "../shoptet/shoptet-client.js";
import { tokenLookup } from "../shoptet/token-lookup.js";
import { listProducts } from "../stock/stock-queries.js";
import type { Level } from "../stock/stock-types.js";
import { createStockWorker, type StockWorker, type StockWorkerOptions } from "../stock/stock-worker.js";
import { createDigestScheduler } from "../digest/digest-scheduler.js";
import { createForecastReader } from "../forecast/forecast-reader.js";
import { withForecasts } from "../forecast/product-forecast.js";
import { openRulesSource, type RulesSource } from "./rules-source.js";
import { asService, everyService, type Service } from "./services.js";

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
  views: Record<string, ApiView>;
  /** After webhooks were committed: look at them soon. */
  wake(): void;
  /** Runs every loop until nothing is left to do now (tests, demo). */
  runUntilIdle(): Promise<void>;
  close(): Promise<void>;
}

export function buildPipeline(deps: {
  db: Db;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  options?: PipelineOptions;
  fetch?: typeof fetch;
}): Pipeline {
  const { db, settings, clock, logger } = deps;
  const options = deps.options ?? {};
  const secrets = secretsOf(settings);
  const rules = openRulesSource(settings.rulesPath, { clock, logger });

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
  const engine = createRulesEngine({
    db,
    clock,
    logger: logger.child({ component: "rules" }),
    getRules: () => rules.current(),
    enqueue: (message) => {
      outbox.enqueue(message);
    },
    getProducts: () => listProducts(db, { limit: 100_000 }),
    getForecast: forecasts.velocity,
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
  });
  rules.onChange(() => engine.reconcile());

  const eventRules = createEventFeed({
    db,
    name: "event-rules",
    logger,
    handle: (events) => {
      engine.onEvents(events.map((e) => ({ id: e.id, eshopId: e.eshopId, event: e.event, eventInstance: e.eventInstance, receivedAt: e.receivedAt })));
    },
  });
  const ticker = everyService("reminders", options.tickMs ?? 30_000, () => engine.tick(), (error) =>
    logger.error({ err: (error as Error).message }, "reminder tick failed"),
  );

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

  const services: Service[] = [asService("stock", stock), asService("delivery", delivery), eventRules, ticker, digestService];

  const views: Record<string, ApiView> = {
    "/products": (q) => {
      const level = q.level;
      if (level !== undefined && level !== "" && level !== "soldOut" && level !== "low" && level !== "ok") {
        throw new QueryError("level must be soldOut, low or ok");
      }
      const limit = q.limit === undefined ? 1000 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new QueryError("limit must be a whole number from 1 to 100000");
      const products = listProducts(db, { ...(level ? { level: level as Level } : {}), limit });
      return { products: withForecasts(forecasts, products, rules.current().forecast.settings, clock.now()) };
    },
    "/alerts": (q) => {
      const state = q.state;
      if (state !== undefined && state !== "" && state !== "open" && state !== "resolved") {
        throw new QueryError("state must be open or resolved");
      }
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new QueryError("limit must be a whole number from 1 to 1000");
      return { alerts: listAlerts(db, { state: state === "" ? undefined : (state as "open" | "resolved" | undefined), limit }) };
    },
    "/deliveries": (q) => {
      const answer = answerDeliveries(outbox, q);
      if (answer.status === 400) throw new QueryError(answer.body.error);
      return answer.body;
    },
  };

  return {
    rules,
    outbox,
    engine,
    stock,
    shoptet,
    services,
    views,
    wake() {
      stock.wake();
      eventRules.wake();
    },
    async runUntilIdle() {
      await stock.runUntilIdle();
      eventRules.runUntilIdle();
      engine.tick();
      await delivery.runUntilIdle();
    },
    async close() {
      rules.close();
      await notifiers.email?.close?.();
    },
  };
}

