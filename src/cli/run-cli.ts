import { parseArgs } from "node:util";
import { readSettings, type Env, type Settings } from "../config/env.js";
import { openDatabase, type Db } from "../db/open-database.js";
import { loadRulesFile } from "../rules/load-rules.js";
import { formatRuleError } from "../rules/rules-types.js";
import { coerceError } from "../shared/errors.js";
import { runBackup } from "./commands/backup.js";
import { runDeliveriesList, runDeliveriesRetry } from "./commands/deliveries.js";
import { runDigestCommand } from "./commands/digest.js";
import { runPruneCommand } from "./commands/prune.js";
import { runRecoverCommand } from "./commands/recover.js";
import { runSilenceCommand } from "./commands/silence.js";
import { runWebhooksCommand } from "./commands/webhooks.js";
import { runRulesCheck } from "./commands/rules-check.js";
import { DEFAULT_SINCE, resolveSince, runRulesTest } from "./commands/rules-test.js";
import { runServe } from "./commands/serve.js";
import { runSync } from "./commands/sync.js";
import { ShoptetClient } from "../shoptet/shoptet-client.js";
import { tokenLookup } from "../shoptet/token-lookup.js";
import { systemClock } from "../shared/clock.js";
import { createProgress } from "./progress.js";

const USAGE = `usage: stockwatch <command> [options]

  serve                                   run the daemon (what npm start runs)
  rules check [file]                      validate a rules file (default $STOCKWATCH_RULES)
  rules test [--since 7d] [--file f]      replay stored history through the rules; sends nothing
  digest send <name> [--dry-run] [--from <iso>] [--to <iso>] [--html <path>]
                                          build a digest now; send it, or print it
  sync [--eshop <id>] [--all-details]     seed or repair stock state from the Shoptet API (no alerts)
  deliveries list [--status S] [--limit N]
  deliveries retry <id> | --all-dead | --all-unconfigured
  webhooks list|register|unregister|rotate-key [--url U] [--events L|--stock-only|--all] [--eshop ID]
                                          manage this daemon's webhook registrations at Shoptet
  prune --older-than 90d                  delete old history, keeping what digests and open alerts need
  backup <file> [--force]                 online copy of the database, safe while the daemon runs
  recover [--since 24h] [--eshop ID]      store webhooks Shoptet gave up on, from its 7-day notification log
  silence add --products GLOB --for 2d --reason TEXT [--rule NAME] [--eshop ID]
                                          record matching alerts without sending them, for a while
  silence list [--all] | silence expire ID
                                          the silences in force (--all: also ended ones); end one now
  help                                    this text

Settings come from the environment (see README, "Configuration").
`;

export interface CliIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

const stdio: CliIo = { out: process.stdout, err: process.stderr };

class UsageError extends Error {}

function settingsFrom(env: Env): Settings {
  return readSettings(env);
}

function withDb<T>(settings: Settings, fn: (db: Db) => T): T {
  const db = openDatabase(settings.dbPath);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

type Handler = (args: string[], env: Env, io: CliIo) => Promise<number> | number;

const COMMANDS: Record<string, Handler> = {
  serve: (_args, env) => runServe(env),

  "rules check": (args, env, io) => {
    const file = args[0] ?? settingsFrom(env).rulesPath;
    return runRulesCheck(file, io.out, io.err);
  },

  "rules test": (args, env, io) => {
    const { values } = parseArgs({ args, options: { since: { type: "string" }, file: { type: "string" } }, allowPositionals: false });
    const settings = settingsFrom(env);
    const file = values.file ?? settings.rulesPath;
    const loaded = loadRulesFile(file);
    if (!loaded.ok) {
      for (const e of loaded.errors) io.err.write(`${formatRuleError(e)}\n`);
      return 1;
    }
    const now = Date.now();
    const since = resolveSince(values.since ?? DEFAULT_SINCE, now);
    if (since === undefined) throw new UsageError(`--since takes a duration like 7d or a date like 2026-11-01, got "${values.since}"`);
    const progress = createProgress("replaying events");
    withDb(settings, (db) => runRulesTest({ db, rules: loaded.rules, since, now }, io.out, (done, total) => progress.update(done, total)));
    progress.done();
    return 0;
  },

  sync: async (args, env, io) => {
    const { values } = parseArgs({ args, options: { eshop: { type: "string", multiple: true }, "all-details": { type: "boolean" } } });
    const settings = settingsFrom(env);
    const eshopIds = values.eshop?.map((v) => {
      if (!/^\d+$/.test(v)) throw new UsageError(`--eshop takes an e-shop id (a number), got "${v}"`);
      return Number(v);
    });
    const client = new ShoptetClient({ baseUrl: settings.shoptetApiUrl, tokenFor: tokenLookup(settings), clock: systemClock });
    const db = openDatabase(settings.dbPath);
    try {
      const summary = await runSync(
        { db, clock: systemClock, client, settings, ...(eshopIds ? { eshopIds } : {}), allDetails: Boolean(values["all-details"]) },
        process.stderr,
      );
      io.out.write(`${summary}\n`);
      return 0;
    } finally {
      db.close();
    }
  },

  webhooks: (args, env, io) => runWebhooksCommand(args, env, io.out, io.err),
  prune: (args, env, io) => runPruneCommand(args, env, io.out, io.err),
  recover: (args, env, io) => runRecoverCommand(args, env, io.out, io.err),
  silence: (args, env, io) => runSilenceCommand(args, env, io.out, io.err),
  backup: async (args, env, io) => {
    const { values, positionals } = parseArgs({ args, options: { force: { type: "boolean" } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError("backup takes one target file, e.g. stockwatch backup /backups/stockwatch-$(date +%F).db");
    const db = openDatabase(settingsFrom(env).dbPath);
    try {
      return await runBackup({ db, target: positionals[0]!, force: Boolean(values.force) }, io.out, createProgress("backing up pages"));
    } finally {
      db.close();
    }
  },

  "digest send": (args, env, io) => runDigestCommand(["send", ...args], env, io.out, io.err),

  "deliveries list": (args, env, io) => {
    const { values } = parseArgs({ args, options: { status: { type: "string" }, limit: { type: "string" } } });
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 1000)) throw new UsageError("--limit takes a number from 1 to 1000");
    return withDb(settingsFrom(env), (db) => runDeliveriesList({ db, status: values.status, limit }, io.out, io.err));
  },

  "deliveries retry": (args, env, io) => {
    const { values, positionals } = parseArgs({
      args,
      options: { "all-dead": { type: "boolean" }, "all-unconfigured": { type: "boolean" } },
      allowPositionals: true,
    });
    const id = positionals[0] === undefined ? undefined : Number(positionals[0]);
    const chosen = [id !== undefined, Boolean(values["all-dead"]), Boolean(values["all-unconfigured"])].filter(Boolean).length;
    if (chosen !== 1 || (id !== undefined && !Number.isInteger(id))) {
      throw new UsageError("deliveries retry takes one delivery id, or --all-dead, or --all-unconfigured");
    }
    return withDb(settingsFrom(env), (db) =>
      runDeliveriesRetry(
        id !== undefined ? { db, id } : values["all-dead"] ? { db, allDead: true } : { db, allUnconfigured: true },
        io.out,
        io.err,
      ),
    );
  },
};

/** The `stockwatch` command line: finds the command (one or two words), returns the exit code. */
export async function runCli(argv: readonly string[], env: Env = process.env, io: CliIo = stdio): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    io.out.write(USAGE);
    return 0;
  }
  const two = second === undefined ? undefined : COMMANDS[`${first} ${second}`];
  const handler = two ?? COMMANDS[first];
  const args = two ? rest : argv.slice(1);
  if (!handler) {
    io.err.write(`stockwatch: unknown command "${argv.join(" ")}"\n\n${USAGE}`);
    return 1;
  }
  try {
    return await handler([...args], env, io);
  } catch (error) {
    const message = coerceError(error).message;
    const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    io.err.write(`stockwatch: ${message}\n${usage ? `\n${USAGE}` : ""}`);
    return 1;
  }
}
