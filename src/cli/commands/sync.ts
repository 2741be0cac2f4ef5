import type { Command } from "commander";
import type { Settings } from "../../config/env.js";
import type { Db } from "../../db/open-database.js";
import type { Clock } from "../../shared/clock.js";
import type { Logger } from "../../shared/logger.js";
import { ConfigError } from "../../shared/errors.js";
import type { ShoptetApi } from "../../shoptet/shoptet-client.js";
import { seedFromApi, type SeedResult } from "../../stock/seed-from-api.js";
import { SqliteStockReadStore } from "../../store/sqlite/stock-read-store.js";
import { systemClock } from "../../shared/clock.js";
import type { CliContext } from "../cli-context.js";
import { shoptetClientFor, withSettingsDatabase } from "../command-setup.js";
import { eshopIdsValue } from "../option-values.js";

/** `stockwatch sync [--eshop ID…] [--all-details]`. */
export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command("sync")
    .option("--eshop <id>", "only this e-shop (repeatable; default: every e-shop with a token)", eshopIdsValue)
    .option("--all-details", "re-read every product detail, not only missing or stale ones")
    .usage("[--eshop <id>] [--all-details]")
    .summary("seed or repair stock state from the Shoptet API (no alerts)")
    .description("Reads products and stock of each e-shop from the Shoptet API into the database, sending no alerts for the past.")
    .action(
      ctx.action((options: { eshop?: number[]; allDetails?: boolean }) =>
        withSettingsDatabase(ctx, async (db, settings) => {
          const clock = ctx.deps.clock ?? systemClock;
          const client = shoptetClientFor(ctx, settings);
          const only = options.eshop ? { eshopIds: options.eshop } : {};
          const summary = await runSync({ db, clock, client, settings, ...only, allDetails: Boolean(options.allDetails) }, ctx.deps.progressStream ?? process.stderr);
          ctx.io.out.write(`${summary}\n`);
          return 0;
        }),
      ),
    );
}

export interface SyncDeps {
  db: Db;
  clock: Clock;
  client: ShoptetApi;
  settings: Pick<Settings, "apiToken" | "apiTokens">;
  logger?: Logger;
  /** E-shops to sync; default: every e-shop with its own token, plus (with SHOPTET_API_TOKEN) those seen in webhooks or the token's own e-shop. */
  eshopIds?: readonly number[];
  /** `--all-details`: re-read every product detail, not only missing or stale ones. */
  allDetails?: boolean;
}

/** Where progress goes: process.stderr. A counter line when it is a TTY; nothing otherwise. */
export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * `stockwatch sync`: seeds or repairs the stock state of every configured e-shop from the
 * Shoptet API without sending alerts for the past. Returns a one-line summary for stdout.
 */
export async function runSync(deps: SyncDeps, progress: ProgressSink): Promise<string> {
  const eshopIds = deps.eshopIds ?? (await eshopsToSync(deps));
  if (eshopIds.length === 0) {
    throw new ConfigError(
      "no e-shop to sync: set SHOPTET_API_TOKEN_<eshopId> (or SHOPTET_API_TOKEN) to the e-shop's private API token",
    );
  }
  let lastLine = "";
  let lastAt = 0;
  const tty = progress.isTTY === true;
  const result = await seedFromApi(
    {
      db: deps.db,
      clock: deps.clock,
      client: deps.client,
      eshopIds,
      details: deps.allDetails ? "all" : "stale",
      ...(deps.logger ? { logger: deps.logger } : {}),
    },
    (phase, done, total) => {
      if (!tty) return;
      const now = performance.now();
      const line = `${phase}: ${done}${total === null ? "" : `/${total}`}`;
      if (line !== lastLine && (now - lastAt > 100 || done === total)) {
        progress.write(`\r\x1b[2K${line}`);
        lastLine = line;
        lastAt = now;
      }
    },
  );
  if (tty && lastLine) progress.write("\r\x1b[2K");
  return summarize(result, eshopIds);
}

export function summarize(r: SeedResult, eshopIds: readonly number[]): string {
  const shops = eshopIds.length === 1 ? `e-shop ${eshopIds[0]}` : `${eshopIds.length} e-shops`;
  return (
    `synced ${shops}: ${r.warehouses} warehouse${r.warehouses === 1 ? "" : "s"}, ${r.products} products ` +
    `(${r.levels.soldOut} sold out, ${r.levels.low} low, ${r.levels.ok} ok), ${r.added} new, ${r.changed} corrected, ` +
    `${r.detailsRead} product details read, ${r.apiCalls} API calls in ${(r.ms / 1000).toFixed(1)} s; no alerts sent`
  );
}

/** The e-shops a sync covers when none are named. */
export async function eshopsToSync(deps: Pick<SyncDeps, "db" | "client" | "settings">): Promise<number[]> {
  const ids = new Set<number>(deps.settings.apiTokens.keys());
  if (deps.settings.apiToken) {
    for (const id of new SqliteStockReadStore(deps.db).knownEshops()) ids.add(id);
    if (ids.size === 0) {
      // A fresh install: ask Shoptet which e-shop the shared token belongs to.
      ids.add((await deps.client.eshopInfo(0)).eshopId);
    }
  }
  return [...ids].filter((id) => deps.client.hasToken(id)).sort((a, b) => a - b);
}
