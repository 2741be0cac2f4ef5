import Database from "better-sqlite3";
import { mkdirSync, accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../shared/errors.js";
import { migrate } from "./migrate.js";

export type Db = Database.Database;

/**
 * How large the -wal file may stay: journal_size_limit trims it back to this after a reset, and
 * the engine thread forces a reset (a RESTART checkpoint) once it has grown past it.
 */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

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
  if (path !== ":memory:") checkWritable(path);
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    throw new ConfigError(
      `cannot open the database ${path} (${(error as Error).message}): check the file and its folder are writable, or set STOCKWATCH_DB`,
    );
  }
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    db.pragma("busy_timeout = 5000");
    // Keep the WAL from growing without bound under a steady webhook stream.
    db.pragma("wal_autocheckpoint = 1000");
    // A burst can grow the -wal file to tens of MB while checkpoints chase the writes; once it is
    // reset, trim it back rather than keep the space for good.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    if (options.migrate !== false) migrate(db);
  } catch (error) {
    db.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && STORAGE_ERRORS.test(code)) {
      throw new ConfigError(
        `cannot prepare the database ${path} (${(error as Error).message}): check free disk space, that the file and its folder are writable, and that STOCKWATCH_DB points at a stockwatch database`,
      );
    }
    throw error;
  }
  return db;
}

/** SQLite result codes that mean the file or the disk is the problem, not the program. */
const STORAGE_ERRORS = /^SQLITE_(READONLY|CANTOPEN|IOERR|FULL|PERM|NOTADB|CORRUPT)/;

/**
 * SQLite opens a file it may not write read-only without saying so, and the first write fails
 * much later (deep in some worker); so the database and its WAL files are checked up front.
 */
function checkWritable(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "not writable";
      throw new ConfigError(
        `the database file ${file} cannot be written (${code}${code === "EPERM" ? ", e.g. marked immutable" : code === "EROFS" ? ", read-only file system" : ""}): ` +
          `make it writable for the user running stockwatch, or set STOCKWATCH_DB to a writable path`,
      );
    }
  }
}
