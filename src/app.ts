import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Settings } from "./config/env.js";
import { startupWarnings } from "./config/startup-warnings.js";
import { openDatabase, type Db } from "./db/open-database.js";
import type { EventStore } from "./events/event-store.js";
import { SqliteEventStore } from "./store/sqlite/event-store.js";
import { mountDashboard } from "./dashboard/dashboard-routes.js";
import { createWebApp } from "./http/create-web-app.js";
import { IngestState, livenessChecks, readinessChecks, unwritableFile } from "./http/health-checks.js";
import { dashboardSource } from "./dashboard/dashboard-source.js";
import { webhookKeyFor } from "./shoptet/token-lookup.js";
import { registerStoreMetrics } from "./metrics/store-metrics.js";
import { createSqliteMetricsStore } from "./store/sqlite/metrics-store.js";
import { registerLockGauges } from "./metrics/lock-gauges.js";
import { Metrics } from "./metrics/metrics.js";
import { IngestQueue } from "./receiver/ingest-queue.js";
import { SqliteBatchWriter } from "./receiver/batch-writer.js";
import { WalSyncer } from "./db/wal-syncer.js";
import { createIpCheck } from "./receiver/ip-allowlist.js";
import { createWebhookHandler } from "./receiver/webhook-handler.js";
import { ingestConnection, isWebhook } from "./receiver/ingest-connection.js";
import { systemClock, type Clock } from "./shared/clock.js";
import { silentLogger, type Logger } from "./shared/logger.js";
import type { PipelineOptions } from "./engine/build-pipeline.js";
import { ConfigError } from "./shared/errors.js";
import { createOutbox, type Outbox } from "./outbox/create-outbox.js";
import { buildApiViews } from "./http/api-views.js";
import { createAlertActions } from "./slack/act-on-alerts.js";
import { SLACK_INTERACTIONS_PATH, slackInteractionsHandler } from "./slack/interactions-route.js";
import { createEngineCore } from "./engine/engine-core.js";
import { InlineEngine, ThreadEngine, type Engine } from "./engine/engine.js";
import { mirrorRules } from "./rules/rules-mirror.js";
import { openRulesSource, snapshotRules, type RulesView } from "./rules/rules-source.js";

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
  /**
   * The rules as the HTTP side shows them: with an engine thread, what that thread last loaded
   * (this thread parses the file only once, at startup); inline, the engine's own rules source.
   */
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

/**
 * The composition root: builds every part of the daemon from settings and injected edges (clock,
 * fetch, logger), without touching process globals, so tests can run it in-process on port 0.
 */
export function createApp(deps: AppDeps): App {
  const { settings, logger } = deps;
  for (const warning of startupWarnings(settings)) logger.warn(warning);
  const clock = deps.clock ?? systemClock;
  const db = deps.db ?? openDatabase(settings.dbPath);
  const metrics = new Metrics({ defaultMetrics: true });
  const events = new SqliteEventStore(db);
  const mode = deps.engine ?? (db.memory ? "inline" : "thread");
  const busyTimeoutMs = deps.ingestBusyTimeoutMs ?? 2000;
  let rules: RulesView;
  let closeRules = () => {};
  let engine: Engine;
  // Webhooks are committed on this thread, on a connection of their own (see ingestConnection).
  let ingestDb: Db | undefined;
  try {
    if (mode === "thread" && db.memory) throw new ConfigError("an in-memory database cannot be shared with the engine thread: set STOCKWATCH_DB to a file");
    // Checked here so that a broken rules file stops the start with its errors, before any thread.
    const source = openRulesSource(settings.rulesPath, { clock, logger: mode === "thread" ? silentLogger() : logger });
    rules = source;
    if (mode === "inline") {
      closeRules = () => source.close();
      engine = new InlineEngine(
        createEngineCore({
          db,
          settings,
          clock,
          logger,
          rules: source,
          ...(deps.pipeline ? { options: deps.pipeline } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
        }),
      );
    } else {
      const { onDeliveryEvent: _callbacksStayHere, ...options } = deps.pipeline ?? {};
      const thread = new ThreadEngine({ dbPath: db.name, settings, options, busyTimeoutMs, checkpointEveryMs: 1000, logLevel: logger.level }, logger);
      // Reloads (edits, SIGHUP) are the engine thread's, which loads the rules anyway: parsing a
      // large file here would hold every webhook answer for seconds. This thread mirrors its result.
      const mirror = mirrorRules(snapshotRules(source));
      source.close();
      thread.onRules((snapshot) => mirror.update(snapshot));
      rules = mirror;
      engine = thread;
      ingestDb = ingestConnection(db.name);
      // Checkpoints are the engine thread's: one here would stall every request for its copy and fsync.
      if (!deps.db) db.pragma("wal_autocheckpoint = 0");
    }
  } catch (error) {
    if (!deps.db) db.close();
    throw error;
  }
  const walSyncer = ingestDb ? new WalSyncer(`${db.name}-wal`) : undefined;
  const outbox = createOutbox(db, clock, { onEnqueued: () => engine.wakeDelivery() });
  registerLockGauges(metrics, () => engine.status().lockHold);
  registerStoreMetrics(metrics, { store: createSqliteMetricsStore(db), clock, shoptetStats: () => engine.status().shoptet });

  const ingestState = new IngestState(clock);
  const writer = new SqliteBatchWriter(ingestDb ? new SqliteEventStore(ingestDb) : events, {
    busyTimeoutMs,
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
    onCommit: (results) => {
      metrics.ingestBatch.observe(results.length);
    },
    onError: (error, size) => {
      logger.error({ err: error.message, batch: size }, "could not store webhooks; answered 503 so Shoptet retries");
    },
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

  // The health routes only read: see health-checks.ts.
  const canRead = db.prepare("SELECT count(*) FROM sqlite_schema").pluck();
  const healthInputs = {
    read: () => void canRead.get(),
    unwritable: () => unwritableFile(db.name),
    ingest: ingestState,
    services: () => engine.status().services,
  };
  const web = createWebApp({
    api: { events, views: buildApiViews({ db, rules, outbox, clock }) },
    publicRoutes: (web) => {
      // Slack's buttons: behind Slack's request signature, not the admin token (see src/slack/).
      const act = createAlertActions({ db, clock, enqueue: (message) => void outbox.enqueue(message) });
      web.post(SLACK_INTERACTIONS_PATH, slackInteractionsHandler({ signingSecret: settings.slackSigningSecret, clock, logger, act, wake: () => engine.wakeDelivery() }));
    },
    adminRoutes: (web, guard) => {
      const data = dashboardSource({ db, events, outbox, rules });
      mountDashboard(web, guard, { data: () => data, clock, adminToken: settings.adminToken });
    },
    adminToken: settings.adminToken,
    trustProxy: settings.trustProxy,
    metrics,
    logger,
    health: () => livenessChecks(healthInputs),
    ready: () => readinessChecks(healthInputs),
  });

  // Check header and request timeouts every second (Node checks every 30 s by default).
  const server: Server = createServer({ connectionsCheckingInterval: 1000 }, (req: IncomingMessage, res: ServerResponse) => {
    if (isWebhook(req)) handleWebhook(req, res);
    else web(req, res);
  });
  // Slow or stuck clients must not hold sockets: Shoptet itself gives up after 4 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

  let port = 0;
  let stopped = false;

  const app: App = {
    db,
    metrics,
    events,
    engine,
    rules,
    outbox,
    reloadRules() {
      // Inline, the engine's rules source is this side's too: one reload serves both.
      engine.reloadRules();
    },
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
        closeRules();
        ingestDb?.close();
        if (!deps.db) db.close();
        throw error;
      }
      return new Promise<number>((resolve, reject) => {
        const onError = (error: NodeJS.ErrnoException) => {
          server.off("listening", onListening);
          if (error.code === "EADDRINUSE") {
            reject(new ConfigError(`port ${settings.port} on ${settings.host} is already in use: stop the other process or set PORT`));
          } else if (error.code === "EACCES") {
            reject(new ConfigError(`no permission to listen on port ${settings.port}: use a port above 1024 or set PORT`));
          } else {
            reject(error);
          }
        };
        const onListening = () => {
          server.off("error", onError);
          port = (server.address() as AddressInfo).port;
          if (deps.startServices === false) {
            resolve(port);
            return;
          }
          engine.startServices().then(() => resolve(port), reject);
        };
        server.once("error", onError);
        server.once("listening", onListening);
        server.listen(settings.port, settings.host);
      });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // In-flight requests finish; idle keep-alive sockets close now, busy ones after answering.
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      });
      await ingest.drain();
      await engine.close();
      await walSyncer?.close();
      ingestDb?.close();
      closeRules();
      db.close();
    },
  };
  return app;
}
