import { afterEach } from "vitest";
import { createApp, type App } from "../../src/app.js";
import { readSettings, type Env } from "../../src/config/env.js";
import type { PipelineOptions } from "../../src/engine/build-pipeline.js";
import type { Clock } from "../../src/shared/clock.js";
import { silentLogger, type Logger } from "../../src/shared/logger.js";
import { tempDbPath } from "./temp-dir.js";
import { TEST_KEY } from "./webhooks.js";

const running: App[] = [];

export interface TestApp {
  app: App;
  url: string;
  dbPath: string;
}

/** Starts the whole daemon in-process on 127.0.0.1, port 0, with a real SQLite file. Stopped after the test. */
export async function startTestApp(
  env: Env = {},
  options: { dbPath?: string; clock?: Clock; logger?: Logger; ingestBusyTimeoutMs?: number; pipeline?: PipelineOptions; startServices?: boolean } = {},
): Promise<TestApp> {
  const dbPath = options.dbPath ?? tempDbPath();
  const settings = readSettings({
    SHOPTET_WEBHOOK_KEY: TEST_KEY,
    HOST: "127.0.0.1",
    PORT: "0",
    STOCKWATCH_DB: dbPath,
    ...env,
  });
  const app = createApp({
    settings,
    logger: options.logger ?? silentLogger(),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.ingestBusyTimeoutMs ? { ingestBusyTimeoutMs: options.ingestBusyTimeoutMs } : {}),
    ...(options.pipeline ? { pipeline: options.pipeline } : {}),
    ...(options.startServices === false ? { startServices: false } : {}),
  });
  running.push(app);
  await app.start();
  return { app, url: app.url, dbPath };
}

afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});
