import Database from "better-sqlite3";
import { mkdirSync, accessSync, constants } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../shared/errors.js";
import { migrate } from "./migrate.js";

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite database with the durability settings stockwatch relies
 * on: WAL so readers never block the writer, synchronous=FULL so a committed transaction survives
 * power loss, and a busy timeout so the CLI and the daemon can share the file. Applies migrations.
 */
export function openDatabase(path: string, options: { migrate?: boolean } = {}): Db {
  if (path !== ":memory:") {
    const dir = dirname(resolve(path));
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch {
      throw new ConfigError(
        `cannot write the database folder ${dir}: create it and make it writable, or set STOCKWATCH_DB to a writable path`,
      );
    }
  }
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new ConfigError(
      `cannot open the database ${path} (${(error as Error).message}): check the file and its folder are writable, or set STOCKWATCH_DB`,
    );
  }
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // Keep the WAL from growing without bound under a steady webhook stream.
  db.pragma("wal_autocheckpoint = 1000");
  if (options.migrate !== false) migrate(db);
  return db;
}
