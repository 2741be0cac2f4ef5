import type { Settings } from "./config/env.js";
import { startupWarnings } from "./config/startup-warnings.js";
import { mountDashboard } from "./dashboard/dashboard-routes.js";
import { dashboardSource } from "./dashboard/dashboard-source.js";
import { leaveCheckpointsToEngine, readProbe } from "./db/connection-settings.js";
import { openDatabase, type Db } from "./db/open-database.js";
import { WalSyncer } from "./db/wal-syncer.js";
import type { PipelineOptions } from "./engine/build-pipeline.js";
import type { Engine } from "./engine/engine.js";
import { createLocalEngine } from "./engine/local-engine.js";
import { ThreadEngine } from "./engine/thread-engine.js";
import type { EventStore } from "./events/event-store.js";
import { buildApiViews } from "./http/api-views.js";
import { createWebApp } from "./http/create-web-app.js";
import { IngestState, livenessChecks, readinessChecks, unwritableFile } from "./http/health-checks.js";
import { closeServer, createHttpServer, listen } from "./http/http-server.js";
import { registerLockGauges } from "./metrics/lock-gauges.js";
import { Metrics } from "./metrics/metrics.js";
import { registerStoreMetrics } from "./metrics/store-metrics.js";
import { createOutbox, type Outbox } from "./outbox/create-outbox.js";
import { SqliteBatchWriter } from "./receiver/batch-writer.js";
import { ingestConnection, isWebhook } from "./receiver/ingest-connection.js";
import { IngestQueue } from "./receiver/ingest-queue.js";
import { createIpCheck } from "./receiver/ip-allowlist.js";
import { createWebhookHandler } from "./receiver/webhook-handler.js";
import { mirrorRules } from "./rules/rules-mirror.js";
import { openRulesSource, snapshotRules, type RulesView } from "./rules/rules-source.js";
import { systemClock, type Clock } from "./shared/clock.js";
import { ConfigError } from "./shared/errors.js";
import { silentLogger, type Logger } from "./shared/logger.js";
import { SqliteDashboardStore } from "./store/sqlite/dashboard-store.js";
import { SqliteEventStore } from "./store/sqlite/event-store.js";
import { createSqliteMetricsStore } from "./store/sqlite/metrics-store.js";
import { webhookKeyFor } from "./shoptet/token-lookup.js";
import { createAlertActions } from "./slack/act-on-alerts.js";
import { SLACK_INTERACTIONS_PATH, slackInteractionsHandler } from "./slack/interactions-route.js";

export interface AppDeps {
  settings: Settings;
  logger: Logger;
  /** The HTTP side's clock; the engine uses it too only when "inline" (a thread has the system clock). */
  clock?: Clock;
  /** Only with engine "inline": the fetch the Shoptet client uses. */
  fetch?: typeof fetch;
  /**
   * Where the engine (the pipeline behind the receiver) runs. "thread" (the default for a
   * database file): its own worker thread, so its work never holds up a webhook. "inline": this
   * thread — for an in-memory database, and for the demo, whose simulated clock and fetch cannot
   * cross threads.
   */
  engine?: "thread" | "inline";
  /**
   * The engine thread's module. Default: `engine/engine-thread.js` beside this module, as the
   * module loader resolves it (the built file in production; a loader such as tsx may answer with
   * the source, and must then also be loadable in worker threads: see vitest.config.ts).
   */
  engineThread?: URL;
  /** An already open database (tests); otherwise settings.dbPath is opened. */
  db?: Db;
  /**
   * How long a webhook batch may wait for the database write lock before its requests get 503.
   * Shoptet gives up after 4 s, so the answer must come well before that.
   */
  ingestBusyTimeoutMs?: number;
  /** Tuning of the loops behind the receiver (tests shorten timeouts and intervals). */
  pipeline?: PipelineOptions;
  /** false: receive and store only, without starting the workers (tests of the receiver). */
  startServices?: boolean;
}

export interface App {
  readonly db: Db;
  readonly metrics: Metrics;
  readonly events: EventStore;
  readonly engine: Engine;
  /** The rules as the HTTP side shows them: what the engine last loaded (this thread parses the file only at startup). */
  readonly rules: RulesView;
  readonly outbox: Outbox;
  /** Re-reads the rules file (SIGHUP). */
  reloadRules(): void;
  /** Listens on settings.host:settings.port; resolves with the port actually bound. */
  start(): Promise<number>;
  /** Stops accepting, finishes in-flight requests, stops workers, closes the database. */
  stop(): Promise<void>;
  readonly port: number;
  readonly url: string;
}

/** What the composition root opened, and closes in reverse order. */
interface Parts {
  deps: AppDeps;
  clock: Clock;
  db: Db;
  metrics: Metrics;
  events: EventStore;
  engine: Engine;
  rules: RulesView;
  closeRules: () => void;
  /** Webhooks are committed on this thread, on a connection of their own (engine on a thread only). */
  ingestDb: Db | undefined;
  walSyncer: WalSyncer | undefined;
  outbox: Outbox;
}

const DEFAULT_INGEST_BUSY_TIMEOUT_MS = 2000;

/**
 * The composition root: builds every part of the daemon from settings and injected edges (clock,
 * fetch, logger), without touching process globals, so tests can run it in-process on port 0.
 * The process entry (src/main.ts → `stockwatch serve`) only reads the environment and signals.
 */
export function createApp(deps: AppDeps): App {
  for (const warning of startupWarnings(deps.settings)) deps.logger.warn(warning);
  const parts = openParts(deps);
  const { db, engine } = parts;
  const { settings } = deps;
  const receiver = buildReceiver(parts);
  const server = createHttpServer(isWebhook, receiver.handleWebhook, buildWebApp(parts, receiver.ingestState));
  let port = 0;
  let stopped = false;
  return {
    db,
    metrics: parts.metrics,
    events: parts.events,
    engine,
    rules: parts.rules,
    outbox: parts.outbox,
    // The engine reloads; this side shows what it loaded (Engine.onRules → the rules mirror).
    reloadRules: () => engine.reloadRules(),
    get port() {
      return port;
    },
    get url() {
      return `http://${settings.host === "0.0.0.0" || settings.host === "::" ? "127.0.0.1" : settings.host}:${port}`;
    },
    async start() {
      try {
        await engine.start();
      } catch (error) {
        stopped = true;
        closeStorage(parts);
        throw error;
      }
      port = await listen(server, settings.port, settings.host);
      if (deps.startServices !== false) await engine.startServices();
      return port;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await closeServer(server);
      await receiver.ingest.drain();
      await engine.close();
      await parts.walSyncer?.close();
      closeStorage(parts);
    },
  };
}

/** Opens the database, the engine (checking the rules file first) and the HTTP side's connections. */
function openParts(deps: AppDeps): Parts {
  const clock = deps.clock ?? systemClock;
  const db = deps.db ?? openDatabase(deps.settings.dbPath);
  let built: ReturnType<typeof buildEngine>;
  let ingestDb: Db | undefined;
  try {
    built = buildEngine(deps, db, clock);
    if (built.threaded) {
      ingestDb = ingestConnection(db.name);
      // Checkpoints are the engine thread's: one here would stall every request for its copy and fsync.
      if (!deps.db) leaveCheckpointsToEngine(db);
    }
  } catch (error) {
    if (!deps.db) db.close();
    throw error;
  }
  const { engine } = built;
  const metrics = new Metrics({ defaultMetrics: true });
  registerLockGauges(metrics, () => engine.status().lockHold);
  registerStoreMetrics(metrics, { store: createSqliteMetricsStore(db), clock, shoptetStats: () => engine.status().shoptet });
  return {
    ...built,
    deps,
    clock,
    db,
    metrics,
    events: new SqliteEventStore(db),
    ingestDb,
    walSyncer: ingestDb ? new WalSyncer(`${db.name}-wal`) : undefined,
    outbox: createOutbox(db, clock, { onEnqueued: () => engine.wakeDelivery() }),
  };
}

function closeStorage(parts: Parts): void {
  parts.ingestDb?.close();
  parts.closeRules();
  if (!parts.deps.db) parts.db.close();
}

/**
 * The engine, inline or on its thread (AppDeps.engine), and the HTTP side's view of its rules.
 * The rules file is loaded here first, so that a broken one stops the start with its errors before
 * any thread. With a thread, reloads (edits, SIGHUP) are the thread's: parsing a large file here
 * would hold every webhook answer for seconds; this side mirrors what it loaded.
 */
function buildEngine(deps: AppDeps, db: Db, clock: Clock) {
  const { settings, logger } = deps;
  const threaded = (deps.engine ?? (db.memory ? "inline" : "thread")) === "thread";
  if (threaded && db.memory) throw new ConfigError("an in-memory database cannot be shared with the engine thread: set STOCKWATCH_DB to a file");
  const source = openRulesSource(settings.rulesPath, { clock, logger: threaded ? silentLogger() : logger });
  const rules = mirrorRules(snapshotRules(source));
  let engine: Engine;
  if (threaded) {
    source.close();
    const { onDeliveryEvent: _callbacksStayHere, ...options } = deps.pipeline ?? {};
    const entry = deps.engineThread ?? new URL(import.meta.resolve("./engine/engine-thread.js"));
    const busyTimeoutMs = deps.ingestBusyTimeoutMs ?? DEFAULT_INGEST_BUSY_TIMEOUT_MS;
    engine = new ThreadEngine(entry, { dbPath: db.name, settings, options, busyTimeoutMs, checkpointEveryMs: 1000, logLevel: logger.level }, logger);
  } else {
    const options = deps.pipeline ? { options: deps.pipeline } : {};
    engine = createLocalEngine({ db, settings, clock, logger, rules: source, ...options, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  }
  engine.onRules((snapshot) => rules.update(snapshot));
  return { engine, rules, threaded, closeRules: () => source.close() };
}

/** The webhook hot path: signature and IP checks, batched commits, and the engine told of each. */
function buildReceiver({ deps, clock, metrics, events, engine, ingestDb, walSyncer }: Parts) {
  const { settings, logger } = deps;
  const ingestState = new IngestState(clock);
  const writer = new SqliteBatchWriter(ingestDb ? new SqliteEventStore(ingestDb) : events, {
    busyTimeoutMs: deps.ingestBusyTimeoutMs ?? DEFAULT_INGEST_BUSY_TIMEOUT_MS,
    ...(walSyncer ? { flush: () => walSyncer.sync() } : {}),
    onCommitted: () => {
      ingestState.committed();
      engine.noteIngested();
    },
    onFailure: (message) => {
      ingestState.failed(message);
      engine.reportStorageFailure(message);
    },
    onLockWait: () => metrics.ingestLockWaits.inc(),
    onLockWaited: (ms) => metrics.ingestLockWait.observe(ms / 1000),
  });
  const ingest = new IngestQueue(writer, {
    onCommit: (results) => metrics.ingestBatch.observe(results.length),
    onError: (error, size) => logger.error({ err: error.message, batch: size }, "could not store webhooks; answered 503 so Shoptet retries"),
  });
  const ipCheck = createIpCheck(settings.ipAllowlist);
  const handleWebhook = createWebhookHandler({
    keyFor: webhookKeyFor(settings),
    bodyLimit: settings.bodyLimit,
    ingest,
    clock,
    logger,
    metrics,
    ipAllowed: settings.ipAllowlist.length > 0 ? ipCheck : null,
    clientAddress: (req) => {
      if (settings.trustProxy) {
        const forwarded = req.headers["x-forwarded-for"];
        const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",").pop()?.trim();
        if (first) return first;
      }
      return req.socket.remoteAddress;
    },
  });
  return { handleWebhook, ingest, ingestState };
}

/** Everything but webhooks: health, metrics, the admin API and dashboard, Slack's buttons. */
function buildWebApp({ deps, clock, db, metrics, events, engine, rules, outbox }: Parts, ingestState: IngestState) {
  const { settings, logger } = deps;
  // The health routes only read: see health-checks.ts.
  const healthInputs = {
    read: readProbe(db),
    unwritable: () => unwritableFile(db.name),
    ingest: ingestState,
    services: () => engine.status().services,
  };
  return createWebApp({
    api: { events, views: buildApiViews({ db, rules, outbox, clock }) },
    publicRoutes: (web) => {
      // Slack's buttons: behind Slack's request signature, not the admin token (see src/slack/).
      const act = createAlertActions({ db, clock, enqueue: (message) => void outbox.enqueue(message) });
      web.post(SLACK_INTERACTIONS_PATH, slackInteractionsHandler({ signingSecret: settings.slackSigningSecret, clock, logger, act, wake: () => engine.wakeDelivery() }));
    },
    adminRoutes: (web, guard) => {
      const data = dashboardSource({ db, store: new SqliteDashboardStore(db), events, outbox, rules });
      mountDashboard(web, guard, { data: () => data, clock, adminToken: settings.adminToken });
    },
    adminToken: settings.adminToken,
    trustProxy: settings.trustProxy,
    metrics,
    logger,
    health: () => livenessChecks(healthInputs),
    ready: () => readinessChecks(healthInputs),
  });
}
