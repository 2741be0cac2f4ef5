import { existsSync } from "node:fs";
import type { Db } from "../../db/open-database.js";
import type { Progress } from "../progress.js";

/**
 * `stockwatch backup <file>`: an online copy of the database (SQLite's backup API), safe while the
 * daemon runs and writes; the copy is a consistent snapshot that opens on its own.
 */
export async function runBackup(
  options: { db: Db; target: string; force?: boolean },
  out: { write(text: string): unknown },
  progress: Progress,
): Promise<number> {
  if (existsSync(options.target) && !options.force) {
    throw new Error(`${options.target} exists: choose a new file name, or add --force to overwrite it`);
  }
  const started = Date.now();
  const result = await options.db.backup(options.target, {
    progress: ({ totalPages, remainingPages }) => {
      progress.update(totalPages - remainingPages, totalPages);
      return 1000;
    },
  });
  progress.done();
  out.write(`backed up ${result.totalPages} pages to ${options.target} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}
