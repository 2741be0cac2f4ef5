import { existsSync } from "node:fs";
import type { Command } from "commander";
import type { Db } from "../../db/open-database.js";
import type { CliContext } from "../cli-context.js";
import { withSettingsDatabase } from "../command-setup.js";
import { createProgress, type Progress } from "../progress.js";

/** `stockwatch backup <file> [--force]`. */
export function registerBackup(program: Command, ctx: CliContext): void {
  program
    .command("backup")
    .argument("<file>", "the copy to write, e.g. /backups/stockwatch-$(date +%F).db")
    .option("--force", "overwrite the file when it exists")
    .usage("<file> [--force]")
    .summary("online copy of the database, safe while the daemon runs")
    .description("Copies the database with SQLite's backup API into <file>: a consistent snapshot that opens on its own.")
    .action(
      ctx.action((target: string, options: { force?: boolean }) =>
        withSettingsDatabase(ctx, (db) =>
          runBackup({ db, target, force: Boolean(options.force) }, ctx.io.out, createProgress("backing up pages", ctx.deps.progressStream)),
        ),
      ),
    );
}

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
