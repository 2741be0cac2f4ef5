import { readSettings, type Env, type Settings } from "../config/env.js";
import { openDatabase, type Db } from "../db/open-database.js";
import { coerceError } from "../shared/errors.js";
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
