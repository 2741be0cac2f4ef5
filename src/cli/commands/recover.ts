import type { Command } from "commander";
import { secretsOf, type Settings } from "../../config/env.js";
import type { Db } from "../../db/open-database.js";
import { eshopsToRecover, noTokenMessage } from "../../recovery/recovery-eshops.js";
import { HISTORY_MS, summaryLine } from "../../recovery/recovery-plan.js";
import { recoverEshop } from "../../recovery/recover-eshop.js";
import { systemClock } from "../../shared/clock.js";
import { formatDuration } from "../../shared/duration.js";
import { coerceError } from "../../shared/errors.js";
import { redactSecrets } from "../../shared/redact.js";
import { SqliteRecoveryStore } from "../../store/sqlite/recovery-store.js";
import type { ShoptetClient } from "../../shoptet/shoptet-client.js";
import type { CliContext } from "../cli-context.js";
import { settingsOrSay, shoptetClientFor, withDatabaseOrSay } from "../command-setup.js";
import { durationValue, eshopIdsValue } from "../option-values.js";
import { createProgress } from "../progress.js";

const RECOVER_DESCRIPTION =
  "Reads Shoptet's log of webhook notifications (7 days of history) and stores every event whose " +
  "delivery failed or was given up that the daemon does not have yet, exactly as if the webhook had " +
  "arrived: stock events update stock and alerts through the running daemon. Needs the e-shop's API " +
  "token (SHOPTET_API_TOKEN_<eshopId> or SHOPTET_API_TOKEN). Without --since it continues where the " +
  "last pass (of this command or the daemon) stopped; a first pass reads 24 hours. Safe while the " +
  "daemon runs.";

/** `stockwatch recover [--since 24h] [--eshop ID]`. */
export function registerRecover(program: Command, ctx: CliContext): void {
  program
    .command("recover")
    .option("--since <duration>", "read this far back (Shoptet keeps 7d), e.g. 24h", durationValue("30m, 24h or 7d"))
    .option("--eshop <id>", "only this e-shop (repeatable; default: every e-shop with a token)", eshopIdsValue)
    .usage("[--since 24h] [--eshop ID]")
    .summary("store webhooks Shoptet gave up on, from its 7-day notification log")
    .description(RECOVER_DESCRIPTION)
    .action(ctx.action((options: { since?: number; eshop?: number[] }) => recover(ctx, options.since, options.eshop ?? [])));
}

/** One summary line per e-shop on stdout; exit 1 when a pass failed. */
async function recover(ctx: CliContext, sinceMs: number | undefined, named: readonly number[]): Promise<number> {
  const { err } = ctx.io;
  if (sinceMs !== undefined && sinceMs > HISTORY_MS) {
    err.write(`stockwatch: Shoptet keeps 7 days of notifications; reading those (--since ${formatDuration(sinceMs)} asks for more)\n`);
  }
  const settings = settingsOrSay(ctx.env, err);
  if (!settings) return 1;
  const client = shoptetClientFor(ctx, settings);
  // Checked before the database is opened (and perhaps created).
  if (!settings.apiToken && settings.apiTokens.size === 0) {
    err.write(`stockwatch: ${noTokenMessage()}\n`);
    return 1;
  }
  const missing = named.find((id) => !client.hasToken(id));
  if (missing !== undefined) {
    err.write(`stockwatch: ${noTokenMessage(missing)}\n`);
    return 1;
  }
  return withDatabaseOrSay(settings, err, async (db) => {
    let eshopIds = [...named];
    if (eshopIds.length === 0) {
      try {
        eshopIds = await eshopsToRecover(settings, new SqliteRecoveryStore(db), client);
      } catch (error) {
        const why = redactSecrets(coerceError(error).message, secretsOf(settings));
        err.write(`stockwatch: cannot tell which e-shop SHOPTET_API_TOKEN belongs to: ${why}; name it with --eshop ID\n`);
        return 1;
      }
    }
    let failed = 0;
    for (const eshopId of eshopIds) if (!(await recoverOne(ctx, { db, client, settings }, eshopId, sinceMs))) failed++;
    return failed ? 1 : 0;
  });
}

/** One e-shop's pass: its summary line on stdout, or why it failed on stderr (false). */
async function recoverOne(
  ctx: CliContext,
  on: { db: Db; client: ShoptetClient; settings: Settings },
  eshopId: number,
  sinceMs: number | undefined,
): Promise<boolean> {
  const progress = createProgress(`reading notifications of e-shop ${eshopId}`, ctx.deps.progressStream);
  try {
    const result = await recoverEshop(
      { db: on.db, api: on.client, clock: ctx.deps.clock ?? systemClock, onProgress: (done, total) => progress.update(done, total) },
      eshopId,
      sinceMs === undefined ? {} : { sinceMs },
    );
    progress.done();
    ctx.io.out.write(`${summaryLine(result)}\n`);
    return true;
  } catch (error) {
    progress.done();
    ctx.io.err.write(
      `stockwatch: recovery of e-shop ${eshopId} failed: ${redactSecrets(coerceError(error).message, secretsOf(on.settings))} ` +
        `(what was stored before the failure stays stored; run it again to continue)\n`,
    );
    return false;
  }
}
