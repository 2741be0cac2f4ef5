import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { Db } from "../../db/open-database.js";
import { compileCron } from "../../digest/cron-schedule.js";
import { SqliteDigestRunStore } from "../../store/sqlite/digest-run-store.js";
import { formatPeriod } from "../../digest/digest-format.js";
import { previewDigest, runDigest, type DigestRules, type Enqueue } from "../../digest/run-digest.js";
import { createOutbox } from "../../outbox/create-outbox.js";
import { loadRulesFile } from "../../rules/load-rules.js";
import { formatRuleError } from "../../rules/rules-types.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import { coerceError } from "../../shared/errors.js";
import { silentLogger, type Logger } from "../../shared/logger.js";
import { requireSubcommand, type CliContext } from "../cli-context.js";
import { settingsOrSay, withDatabaseOrSay } from "../command-setup.js";
import type { Output } from "../output.js";

export type { Output };

export interface DigestSendOptions {
  db: Db;
  rules: DigestRules;
  name: string;
  dryRun?: boolean;
  /** ISO 8601 time or epoch ms. */
  from?: string | number | undefined;
  to?: string | number | undefined;
  htmlPath?: string | undefined;
  clock?: Clock;
  /** Where messages go; default: this database's outbox. */
  enqueue?: Enqueue;
  logger?: Logger;
}

/**
 * `stockwatch digest send <name>`: builds the digest now and queues it through the outbox (one row
 * per channel, delivered by the running daemon), or with `dryRun` prints the text part and sends
 * nothing. The period defaults to "since the last scheduled run" (or one schedule interval) up to
 * now; a run by hand never moves the schedule's own periods. Exit 0 when built (also when this exact
 * period was already sent: nothing is sent twice), 1 for an unknown digest, a bad time or a failure.
 */
export async function runDigestSend(options: DigestSendOptions, out: Output, err: Output = out): Promise<number> {
  const { db, rules, name } = options;
  const clock = options.clock ?? systemClock;
  const digest = rules.digests.find((d) => d.name === name);
  if (!digest) {
    const defined = rules.digests.map((d) => d.name);
    err.write(
      defined.length
        ? `unknown digest "${name}": the rules file defines ${defined.map((d) => `"${d}"`).join(", ")}\n`
        : `unknown digest "${name}": the rules file defines no digests; add one under "digests:" (see config/rules.yaml)\n`,
    );
    return 1;
  }

  const now = clock.now();
  const to = parseTime(options.to, "--to", err) ?? (options.to === undefined ? now : undefined);
  if (to === undefined) return 1;
  let from: number | undefined;
  if (options.from !== undefined) {
    from = parseTime(options.from, "--from", err);
    if (from === undefined) return 1;
  } else {
    from = defaultFrom(db, digest.name, digest.schedule, rules.timezone, to);
  }
  if (from >= to) {
    err.write(`the period is empty: --from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})\n`);
    return 1;
  }

  const logger = options.logger ?? silentLogger();
  const period = { from, to };
  const periodText = `${formatPeriod(period, rules.timezone)} (${rules.timezone})`;
  try {
    if (options.dryRun) {
      const { rendered } = await previewDigest({ db, clock }, digest, rules, period);
      out.write(`Subject: ${rendered.subject}\n\n${rendered.text}`);
      if (options.htmlPath) writeFileSync(options.htmlPath, rendered.html);
      err.write(`dry run: nothing was sent${options.htmlPath ? `; HTML written to ${options.htmlPath}` : ""}\n`);
      return 0;
    }
    const enqueue = options.enqueue ?? createOutbox(db, clock).enqueue;
    const outcome = await runDigest(
      { db, clock, logger, enqueue },
      { digest, rules, period, slot: null, trigger: "manual", honourSkipEmpty: false },
    );
    switch (outcome.status) {
      case "queued":
        if (options.htmlPath) writeFileSync(options.htmlPath, outcome.rendered.html);
        if (outcome.messages === 0 && outcome.duplicates > 0) {
          out.write(`digest "${name}" for ${periodText} was already queued before; nothing sent again\n`);
        } else if (outcome.channels.length === 0) {
          err.write(`digest "${name}" has no channel to send to: its notify names none the rules file defines\n`);
          return 1;
        } else {
          out.write(`queued digest "${name}" for ${outcome.channels.join(", ")}: ${outcome.rendered.subject}\nperiod ${periodText}\n`);
        }
        return 0;
      case "already":
        out.write(`digest "${name}" for ${periodText}: ${outcome.reason}; nothing sent again\n`);
        return 0;
      case "empty":
        out.write(`digest "${name}" for ${periodText} had nothing to report; nothing sent\n`);
        return 0;
      case "failed":
        err.write(`digest "${name}" failed: ${outcome.error}\n`);
        return 1;
    }
  } catch (error) {
    err.write(`digest "${name}" failed: ${coerceError(error).message}\n`);
    return 1;
  }
}

/** Where the last scheduled run ended; before any, one schedule interval before `to`. */
function defaultFrom(db: Db, digest: string, schedule: string, timezone: string, to: number): number {
  const last = new SqliteDigestRunStore(db).lastScheduled(digest);
  if (last && last.periodTo < to) return last.periodTo;
  try {
    const cron = compileCron(schedule);
    const latest = cron.latestAtOrBefore(to, timezone);
    const before = latest === null ? null : cron.latestAtOrBefore(latest - 1, timezone);
    if (latest !== null && before !== null) return to - (latest - before);
  } catch {
    // An invalid schedule is reported by `rules check`; a day back still makes a useful digest.
  }
  return to - 86_400_000;
}

function parseTime(value: string | number | undefined, flag: string, err: Output): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    err.write(`${flag} "${value}" is not a time; write ISO 8601, e.g. 2026-11-27T07:00+01:00 or 2026-11-27T06:00Z\n`);
    return undefined;
  }
  return ms;
}

/** `stockwatch digest send <name>`. */
export function registerDigest(program: Command, ctx: CliContext): void {
  requireSubcommand(program.command("digest").usage("send <name> [options]").summary("build a digest now"))
    .command("send")
    .argument("<name>", "a digest of the rules file")
    .option("--dry-run", "print the text part instead of sending (nothing is queued or recorded)")
    .option("--html <path>", "also write the HTML part to this file")
    .option("--from <iso>", "period start, e.g. 2026-11-26T07:00+01:00 (default: where the last scheduled run ended)")
    .option("--to <iso>", "period end (default: now)")
    .usage("<name> [--dry-run] [--from <iso>] [--to <iso>] [--html <path>]")
    .summary("build a digest now; send it, or print it")
    .description("Builds the digest <name> (from the rules file) now and queues it in the outbox for its channels.")
    .action(ctx.action((name: string, options: DigestSendFlags) => digestSend(ctx, name, options)));
}

interface DigestSendFlags {
  dryRun?: boolean;
  html?: string;
  from?: string;
  to?: string;
}

/** Reads the settings (database and rules paths), loads the rules file, runs `send`, closes the database. */
async function digestSend(ctx: CliContext, name: string, flags: DigestSendFlags): Promise<number> {
  const { out, err } = ctx.io;
  const settings = settingsOrSay(ctx.env, err);
  if (!settings) return 1;
  const loaded = loadRulesFile(settings.rulesPath);
  if (!loaded.ok) {
    for (const e of loaded.errors) err.write(`${formatRuleError(e)}\n`);
    err.write(`${settings.rulesPath}: fix the rules file (check it with \`stockwatch rules check\`)\n`);
    return 1;
  }
  const { dryRun = false, from, to, html: htmlPath } = flags;
  const clock = ctx.deps.clock ?? systemClock;
  return withDatabaseOrSay(settings, err, (db) => runDigestSend({ db, rules: loaded.rules, name, dryRun, from, to, htmlPath, clock }, out, err));
}
