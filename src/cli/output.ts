import { readSettings, type Env, type Settings } from "../config/env.js";
import { coerceError } from "../shared/errors.js";

/** Where a CLI command writes: process.stdout and process.stderr fit, tests pass a collector. */
export interface Output {
  write(text: string): unknown;
}

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
