import type { Command } from "commander";
import { createApp } from "../../app.js";
import { readSettings, type Env } from "../../config/env.js";
import { ConfigError } from "../../shared/errors.js";
import { createLogger } from "../../shared/logger.js";
import type { CliContext } from "../cli-context.js";

/** `stockwatch serve`. */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .usage("[options]")
    .summary("run the daemon (what npm start runs)")
    .description(
      "Runs the daemon until SIGTERM or SIGINT: receives Shoptet's webhooks, sends alerts and digests. SIGHUP reloads the rules file. Settings come from the environment (see README, \"Configuration\").",
    )
    .action(ctx.action(() => runServe(ctx.env)));
}

/**
 * `stockwatch serve`: runs the daemon until SIGTERM/SIGINT. Startup problems are printed as one
 * line that says what to set, and the process exits 1.
 */
export async function runServe(env: Env): Promise<number> {
  let settings;
  try {
    settings = readSettings(env);
  } catch (error) {
    process.stderr.write(`stockwatch: ${(error as Error).message}\n`);
    return 1;
  }
  const logger = createLogger(settings.logLevel);
  let app;
  try {
    app = createApp({ settings, logger });
    await app.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.stderr.write(`stockwatch: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const started = app;
  logger.info({ url: `${started.url}/`, db: settings.dbPath, rules: settings.rulesPath }, `stockwatch listening on ${settings.host}:${started.port}`);
  if (!settings.webhookKey && settings.webhookKeys.size === 0) {
    logger.warn("no signature key: every webhook will be refused with 401; set SHOPTET_WEBHOOK_KEY (or SHOPTET_WEBHOOK_KEY_<eshopId>)");
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping: finishing in-flight requests");
      started.stop().then(
        () => {
          logger.info("stopped");
          resolve(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, "stop failed");
          resolve(1);
        },
      );
    };
    process.on("SIGHUP", () => {
      logger.info("SIGHUP: reloading the rules file");
      started.reloadRules();
    });
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
