import type { Settings } from "../config/env.js";
import { secretsOf } from "../config/env.js";
import type { Db } from "../db/open-database.js";
import type { EventFeed } from "../events/event-feed.js";
import { createNotifiers, unconfiguredTransports } from "../notifiers/notifier-registry.js";
import { createOutbox, type Outbox } from "../outbox/create-outbox.js";
import { createDeliveryWorker, type DeliveryEvent, type DeliveryWorker } from "../outbox/delivery-worker.js";
import { createStorageFailureReporter, type StorageFailureReporter } from "../outbox/storage-failure-reporter.js";
import { createRecoveryService } from "../recovery/recovery-service.js";
import { createRulesEngine, type RulesEngine } from "../rules/rules-engine.js";
import { openRulesSource, type RulesSource } from "../rules/rules-source.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { ShoptetClient } from "../shoptet/shoptet-client.js";
import { tokenLookup } from "../shoptet/token-lookup.js";
import { createActiveSilences, silenceGate } from "../silences/silence-gate.js";
import { createSilenceRelease, type SilenceRelease } from "../silences/silence-release.js";
import { createForecastReader } from "../forecast/forecast-reader.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import { createStockWorker, type StockWorker, type StockWorkerOptions } from "../stock/stock-worker.js";
import { digestService, eventRulesFeed, reminderService } from "./pipeline-loops.js";
import { asService, type Service } from "./services.js";

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

export interface PipelineDeps {
  db: Db;
  settings: Settings;
  clock: Clock;
  logger: Logger;
  options?: PipelineOptions;
  fetch?: typeof fetch;
  /** An already open rules source to share (the engine on the HTTP thread); otherwise the file is opened here. */
  rules?: RulesSource;
  /** Paces back-to-back stock jobs while webhooks pour in (see ingest-pacer.ts). */
  pace: () => Promise<void>;
  /** How soon the event rules look at new webhooks (later while they pour in). */
  eventRulesDelayMs: () => number;
}

/**
 * The parts of everything after the receiver — rules, outbox, delivery, and the loops that drive
 * them — wired together. Only nouns: what the engine does with them is in local-engine.ts.
 */
export interface Pipeline {
  rules: RulesSource;
  /** Whether the rules source was opened here (and is closed with the pipeline). */
  ownsRules: boolean;
  stock: StockWorker;
  /** The event rules' feed of stored webhooks. */
  eventRules: EventFeed;
  delivery: DeliveryWorker;
  rulesEngine: RulesEngine;
  release: SilenceRelease;
  shoptet: ShoptetClient;
  /** The emergency path when the database cannot be written (logs, and tells people directly). */
  reporter: StorageFailureReporter;
  /** Every loop, in start order. */
  services: Service[];
  /** Closes what the pipeline opened (the rules file's watcher, SMTP connections). */
  close(): Promise<void>;
}

type Common = Pick<PipelineDeps, "db" | "settings" | "clock" | "logger"> & { options: PipelineOptions; secrets: string[] };

export function buildPipeline(deps: PipelineDeps): Pipeline {
  const common: Common = { ...deps, options: deps.options ?? {}, secrets: secretsOf(deps.settings) };
  const { db, clock, logger } = common;
  const rules = deps.rules ?? openRulesSource(deps.settings.rulesPath, { clock, logger });
  const out = buildDelivery(common, rules);
  const decide = buildRules(common, rules, out.outbox);
  const { shoptet, stock } = buildStock(common, deps, decide.rulesEngine);
  const eventRules = eventRulesFeed({ db, logger, rulesEngine: decide.rulesEngine, delayMs: deps.eventRulesDelayMs });
  const recovery = createRecoveryService({
    db,
    clock,
    logger: logger.child({ component: "recovery" }),
    api: shoptet,
    settings: deps.settings,
    secrets: common.secrets,
    wake: () => (stock.wake(), eventRules.wake()),
  });
  const services: Service[] = [
    asService("stock", stock),
    asService("delivery", out.delivery),
    eventRules,
    reminderService({ ...decide, logger, tickMs: common.options.tickMs ?? 30_000 }),
    digestService({ db, clock, logger, rules, outbox: out.outbox }),
    recovery,
  ];
  return {
    rules,
    ownsRules: deps.rules === undefined,
    stock,
    eventRules,
    delivery: out.delivery,
    rulesEngine: decide.rulesEngine,
    release: decide.release,
    shoptet,
    reporter: out.reporter,
    services,
    async close() {
      if (deps.rules === undefined) rules.close();
      await out.closeNotifiers();
    },
  };
}

/** Notifiers, the emergency reporter, the delivery worker and the outbox it drains. */
function buildDelivery({ db, settings, clock, logger, options, secrets }: Common, rules: RulesSource) {
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
  return { reporter, delivery, outbox, closeNotifiers: async () => void (await notifiers.email?.close?.()) };
}

/** The rules engine behind the silences gate, and the release of owed messages when silences end. */
function buildRules({ db, settings, clock, logger }: Common, rules: RulesSource, outbox: Outbox) {
  const forecasts = createForecastReader(db);
  const products = new SqliteStockReadStore(db);
  // Silences (src/silences/): matching alert messages are held back, and owed ones sent when they end.
  const silences = createActiveSilences(db);
  const enqueueNow = (message: Parameters<Outbox["enqueue"]>[0]) => void outbox.enqueue(message);
  const slackActions = settings.slackSigningSecret !== undefined;
  const release = createSilenceRelease({ db, clock, logger, silences, getRules: () => rules.current(), enqueue: enqueueNow, slackActions });
  const rulesEngine = createRulesEngine({
    db,
    clock,
    logger: logger.child({ component: "rules" }),
    getRules: () => rules.current(),
    enqueue: silenceGate({ db, clock, logger, silences, enqueue: enqueueNow }),
    getProducts: (offset, limit) => products.listProducts({ offset, limit }),
    getForecast: forecasts.velocity,
    slackActions,
  });
  return { rules, rulesEngine, release };
}

/** The Shoptet client and the stock worker that reads stock through it and hands changes to the rules. */
function buildStock({ db, settings, clock, logger, options, secrets }: Common, deps: Pick<PipelineDeps, "fetch" | "pace">, rulesEngine: RulesEngine) {
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
      rulesEngine.onStockChanges(changes);
    },
    options: { secrets, ...options.stock },
    pace: deps.pace,
  });
  return { shoptet, stock };
}
