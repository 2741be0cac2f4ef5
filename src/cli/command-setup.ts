import { readSettings, type Env, type Settings } from "../config/env.js";
import { openDatabase, type Db } from "../db/open-database.js";
import { systemClock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import { silentLogger } from "../shared/logger.js";
import { ShoptetClient } from "../shoptet/shoptet-client.js";
import { tokenLookup } from "../shoptet/token-lookup.js";
import type { CliContext } from "./cli-context.js";
import type { Output } from "./output.js";

/**
 * The settings from the environment, or undefined after saying on `err` what is wrong with them
 * (the command then exits 1).
 */
export function settingsOrSay(env: Env, err: Output): Settings | undefined {
  try {
    return readSettings(env);
  } catch (error) {
    err.write(`stockwatch: ${coerceError(error).message}\n`);
    return undefined;
  }
}

/**
 * Runs `fn` with the database of `settings` open and closes it afterwards; when it cannot be
 * opened, says why on `err` and returns 1.
 */
export async function withDatabaseOrSay(settings: Settings, err: Output, fn: (db: Db) => Promise<number>): Promise<number> {
  let db: Db;
  try {
    db = openDatabase(settings.dbPath);
  } catch (error) {
    err.write(`stockwatch: ${coerceError(error).message}\n`);
    return 1;
  }
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** The settings from the environment and their database, open while `fn` runs; 1 when either fails. */
export async function withSettingsDatabase(ctx: CliContext, fn: (db: Db, settings: Settings) => Promise<number> | number): Promise<number> {
  const settings = settingsOrSay(ctx.env, ctx.io.err);
  if (!settings) return 1;
  return withDatabaseOrSay(settings, ctx.io.err, async (db) => fn(db, settings));
}

/** A Shoptet API client for a command: the settings' API URL, the tokens, the context's clock, fetch and sleep. */
export function shoptetClientFor(ctx: CliContext, settings: Settings, tokenFor: (eshopId: number) => string | undefined = tokenLookup(settings)): ShoptetClient {
  const { clock = systemClock, fetch, sleep } = ctx.deps;
  return new ShoptetClient({
    baseUrl: settings.shoptetApiUrl,
    tokenFor,
    clock,
    logger: silentLogger(),
    ...(fetch ? { fetch } : {}),
    ...(sleep ? { sleep } : {}),
  });
}
