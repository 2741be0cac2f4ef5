import { parseArgs } from "node:util";
import type { Env } from "../../config/env.js";
import { SqliteRecoveryStore } from "../../store/sqlite/recovery-store.js";
import { eshopsToRecover, noTokenMessage } from "../../recovery/recovery-eshops.js";
import { HISTORY_MS } from "../../recovery/recovery-plan.js";
import { recoverEshop } from "../../recovery/recover-eshop.js";
import { summaryLine } from "../../recovery/recovery-plan.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import { parseDuration } from "../../shared/duration.js";
import { coerceError } from "../../shared/errors.js";
import { redactSecrets } from "../../shared/redact.js";
import { secretsOf } from "../../config/env.js";
import { ShoptetClient } from "../../shoptet/shoptet-client.js";
import { tokenLookup } from "../../shoptet/token-lookup.js";
import { settingsOrSay, withDatabaseOrSay } from "../command-setup.js";
import type { Output } from "../output.js";
import { createProgress } from "../progress.js";

export const RECOVER_USAGE = `usage: stockwatch recover [--since 24h] [--eshop ID]

  Reads Shoptet's log of webhook notifications (7 days of history) and stores every event whose
  delivery failed or was given up that the daemon does not have yet, exactly as if the webhook had
  arrived: stock events update stock and alerts through the running daemon. Needs the e-shop's API
  token (SHOPTET_API_TOKEN_<eshopId> or SHOPTET_API_TOKEN). Without --since it continues where the
  last pass (of this command or the daemon) stopped; a first pass reads 24 hours. Safe while the
  daemon runs.
`;

export interface RecoverCommandOptions {
  clock?: Clock;
  /** Where the progress counter goes (a TTY gets one; otherwise nothing). */
  progressStream?: { isTTY?: boolean; write(s: string): boolean };
}

/** `stockwatch recover`: one summary line per e-shop on `out`; exit 1 when a pass failed. */
export async function runRecoverCommand(args: string[], env: Env, out: Output, err: Output, options: RecoverCommandOptions = {}): Promise<number> {
  let values: { since?: string | undefined; eshop?: string[] | undefined; help?: boolean | undefined };
  try {
    values = parseArgs({ args, options: { since: { type: "string" }, eshop: { type: "string", multiple: true }, help: { type: "boolean" } } }).values;
  } catch (error) {
    err.write(`stockwatch: ${coerceError(error).message}\n\n${RECOVER_USAGE}`);
    return 1;
  }
  if (values.help) {
    out.write(RECOVER_USAGE);
    return 0;
  }
  let sinceMs: number | undefined;
  if (values.since !== undefined) {
    sinceMs = parseDuration(values.since);
    if (sinceMs === undefined || sinceMs <= 0) {
      err.write(`stockwatch: --since takes a duration like 30m, 24h or 7d, got "${values.since}"\n`);
      return 1;
    }
    if (sinceMs > HISTORY_MS) err.write(`stockwatch: Shoptet keeps 7 days of notifications; reading those (--since ${values.since} asks for more)\n`);
  }
  const named: number[] = [];
  for (const v of values.eshop ?? []) {
    if (!/^[1-9]\d{0,15}$/.test(v)) {
      err.write(`stockwatch: --eshop takes an e-shop id (a number), got "${v}"\n`);
      return 1;
    }
    named.push(Number(v));
  }
  const settings = settingsOrSay(env, err);
  if (!settings) return 1;
  const secrets = secretsOf(settings);
  const clock = options.clock ?? systemClock;
  const client = new ShoptetClient({ baseUrl: settings.shoptetApiUrl, tokenFor: tokenLookup(settings), clock });
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
    let eshopIds = named;
    if (eshopIds.length === 0) {
      try {
        eshopIds = await eshopsToRecover(settings, new SqliteRecoveryStore(db), client);
      } catch (error) {
        err.write(`stockwatch: cannot tell which e-shop SHOPTET_API_TOKEN belongs to: ${redactSecrets(coerceError(error).message, secrets)}; name it with --eshop ID\n`);
        return 1;
      }
    }
    let failed = 0;
    for (const eshopId of eshopIds) {
      const progress = createProgress(`reading notifications of e-shop ${eshopId}`, options.progressStream ?? process.stderr);
      try {
        const result = await recoverEshop(
          { db, api: client, clock, onProgress: (done, total) => progress.update(done, total) },
          eshopId,
          sinceMs === undefined ? {} : { sinceMs },
        );
        progress.done();
        out.write(`${summaryLine(result)}\n`);
      } catch (error) {
        progress.done();
        failed++;
        err.write(
          `stockwatch: recovery of e-shop ${eshopId} failed: ${redactSecrets(coerceError(error).message, secrets)} ` +
            `(what was stored before the failure stays stored; run it again to continue)\n`,
        );
      }
    }
    return failed ? 1 : 0;
  });
}
