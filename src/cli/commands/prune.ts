import { InvalidArgumentError, type Command } from "commander";
import { pruneHistory, type PruneRequest, type PruneStats } from "../../retention/prune-history.js";
import { loadRulesFile } from "../../rules/load-rules.js";
import { coerceError } from "../../shared/errors.js";
import { formatDuration, parseDuration } from "../../shared/duration.js";
import { usageError, type CliContext } from "../cli-context.js";
import { settingsOrSay, withDatabaseOrSay } from "../command-setup.js";
import type { Output } from "../output.js";

const PRUNE_DESCRIPTION =
  "Deletes history older than the duration (e.g. 90d): stored events and their finished jobs, sent " +
  "deliveries, resolved alerts, stock movements and level changes, old digest runs. Keeps what the " +
  "daemon still needs: events of open alerts and unfinished jobs, the data of each digest's next " +
  "period, the forecasts' window, open alerts, unsent deliveries, current stock. Safe while the daemon " +
  "runs (it works in short batches). Does not shrink the file (see the summary).";

const MIN_RETENTION_MS = 86_400_000;

export type PruneOptions = PruneRequest & {
  /** Shown in the VACUUM hint. */
  dbPath?: string;
};

const n = (x: number) => x.toLocaleString("en-US");

/** The one-line summary of a prune. */
export function formatPruneSummary(stats: PruneStats, olderThanMs: number, dbPath: string): string {
  const parts = [
    `${n(stats.events)} events`,
    `${n(stats.jobs)} finished jobs`,
    `${n(stats.deliveries)} sent deliveries`,
    `${n(stats.alerts)} resolved alerts`,
    `${n(stats.slackMessages)} Slack message records`,
    `${n(stats.movements)} stock movements`,
    `${n(stats.levelChanges)} level changes`,
    `${n(stats.digestRuns)} digest runs`,
    ...(stats.dailySales ? [`${n(stats.dailySales)} daily sales rows`] : []),
    ...(stats.cooldowns ? [`${n(stats.cooldowns)} cooldowns`] : []),
    ...(stats.silences ? [`${n(stats.silences)} ended silences`] : []),
  ];
  const kept: string[] = [];
  if (stats.eventsKept) kept.push(`${n(stats.eventsKept)} older events still needed (open alerts, unfinished jobs, not yet read)`);
  if (stats.heldForDigest !== null) {
    kept.push(`history since ${new Date(stats.periodCutoff).toISOString()} for the next period of digest "${stats.heldForDigest}"`);
  }
  return (
    `pruned what is older than ${formatDuration(olderThanMs)} (before ${new Date(stats.cutoff).toISOString()}): ${parts.join(", ")}` +
    (kept.length ? `; kept ${kept.join(" and ")}` : "") +
    `; ${n(stats.batches)} transactions, the longest ${Math.round(stats.longestHoldMs)} ms` +
    `; the file keeps its size and reuses the space (to shrink it: stop the daemon, run \`sqlite3 ${dbPath} VACUUM\`, start it)\n`
  );
}

/**
 * `stockwatch prune --older-than 90d` on an open database: deletes old history in batches (see
 * pruneHistory for what is kept) and prints a one-line summary. Exit 0, or 1 when it failed (what
 * was deleted before the failure stays deleted; running it again continues).
 */
export async function runPrune(options: PruneOptions, out: Output, err: Output = out): Promise<number> {
  if (!(options.olderThanMs >= MIN_RETENTION_MS)) {
    err.write(`--older-than must be at least 1d, got ${formatDuration(options.olderThanMs)}\n`);
    return 1;
  }
  try {
    const stats = await pruneHistory({
      db: options.db,
      olderThanMs: options.olderThanMs,
      now: options.now,
      ...(options.digests !== undefined ? { digests: options.digests } : {}),
      ...(options.forecastWindowDays !== undefined ? { forecastWindowDays: options.forecastWindowDays } : {}),
      ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      ...(options.pauseMs !== undefined ? { pauseMs: options.pauseMs } : {}),
    });
    out.write(formatPruneSummary(stats, options.olderThanMs, options.dbPath ?? options.db.name));
    return 0;
  } catch (error) {
    err.write(`stockwatch prune: ${coerceError(error).message}; what was deleted so far stays deleted, run it again to continue\n`);
    return 1;
  }
}

/** `stockwatch prune --older-than <duration>`. */
export function registerPrune(program: Command, ctx: CliContext): void {
  program
    .command("prune")
    .option("--older-than <duration>", "delete what is older than this, e.g. 90d (at least 1d)", olderThanValue)
    .usage("--older-than <duration>")
    .summary("delete old history, keeping what digests and open alerts need")
    .description(PRUNE_DESCRIPTION)
    .action(
      ctx.action((options: { olderThan?: number }, command: Command) => {
        if (options.olderThan === undefined) usageError(command, "say how much to keep, e.g. --older-than 90d");
        return prune(ctx, options.olderThan);
      }),
    );
}

function olderThanValue(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new InvalidArgumentError(`takes a duration like 90d or 12h, got "${text}"`);
  if (ms < MIN_RETENTION_MS) throw new InvalidArgumentError(`must be at least 1d, got ${formatDuration(ms)}`);
  return ms;
}

/**
 * Takes the digests and forecast windows from the rules file (when it loads; otherwise every
 * digest that has run and a 365-day window are protected), opens the database, prunes.
 */
async function prune(ctx: CliContext, olderThanMs: number): Promise<number> {
  const { out, err } = ctx.io;
  const settings = settingsOrSay(ctx.env, err);
  if (!settings) return 1;
  let digests: string[] | null = null;
  let forecastWindowDays: number | undefined;
  const loaded = loadRulesFile(settings.rulesPath);
  if (loaded.ok) {
    digests = loaded.rules.digests.map((d) => d.name);
    const windows = [loaded.rules.forecast.settings.windowDays];
    for (const r of loaded.rules.stockRules) if (r.when.cover) windows.push(r.when.cover.windowDays);
    forecastWindowDays = Math.max(...windows);
  } else {
    err.write(`note: ${settings.rulesPath} did not load; keeping what every digest that has run and a 365-day forecast window need\n`);
  }
  const now = ctx.deps.clock?.now() ?? Date.now();
  const windowDays = forecastWindowDays !== undefined ? { forecastWindowDays } : {};
  return withDatabaseOrSay(settings, err, (db) => runPrune({ db, olderThanMs, now, digests, ...windowDays, dbPath: settings.dbPath }, out, err));
}
