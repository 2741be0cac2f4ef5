import type { Command } from "commander";
import type { Settings } from "../../config/env.js";
import { selectEvents } from "../../registration/event-selection.js";
import { formatUnregisterReport, formatWebhookList } from "../../registration/format-webhooks.js";
import { unregisterWebhooks } from "../../registration/unregister-webhooks.js";
import { checkWebhookUrl } from "../../registration/webhook-url.js";
import { coerceError } from "../../shared/errors.js";
import type { ShoptetClient } from "../../shoptet/shoptet-client.js";
import { ShoptetApiError } from "../../shoptet/shoptet-error.js";
import { requireSubcommand, usageError, type CliContext } from "../cli-context.js";
import { settingsOrSay, shoptetClientFor } from "../command-setup.js";
import { eshopIdValue } from "../option-values.js";
import { registerEvents, rotateKey } from "./webhooks-register.js";
import { resolveTarget, type WebhooksTarget } from "./webhooks-target.js";

/** Names the URL Shoptet delivers to when `--url` is not given (an extension of the env contract). */
export const PUBLIC_URL_VARIABLE = "STOCKWATCH_PUBLIC_URL";

type Sub = "list" | "register" | "unregister" | "rotate-key";

/** The flags of every webhooks subcommand (each takes only its own; commander refuses the rest). */
export interface WebhooksFlags {
  url?: string;
  events?: string;
  stockOnly?: boolean;
  all?: boolean;
  takeOver?: boolean;
  dryRun?: boolean;
  eshop?: number;
}

/** A webhooks command ready to talk to Shoptet: the client, the e-shop, this daemon's URL. */
export interface WebhooksSession {
  ctx: CliContext;
  settings: Settings;
  client: ShoptetClient;
  /** 0 when unknown: the token decides which e-shop is meant. */
  id: number;
  eshopId: number | null;
  /** "e-shop 222651", for messages. */
  label: string;
  /** This daemon's webhook URL (null for list without one, and for rotate-key). */
  url: string | null;
}

const URL_HELP = `where Shoptet delivers, e.g. https://stock.example.com/webhooks/shoptet (default: $${PUBLIC_URL_VARIABLE}); ports 80, 8080, 443 and 8443 only`;
const EVENTS_HELP = "exactly these events, comma-separated; globs work: order:*,!order:mass*";
const ESHOP_HELP = "use SHOPTET_API_TOKEN_<id> (needed when several e-shops have tokens)";

/** `stockwatch webhooks list|register|unregister|rotate-key`: this daemon's registrations at Shoptet. */
export function registerWebhooks(program: Command, ctx: CliContext): void {
  const webhooks = requireSubcommand(
    program
      .command("webhooks")
      .usage("<list|register|unregister|rotate-key> [options]")
      .summary("manage this daemon's webhook registrations at Shoptet")
      .description("Manages the Shoptet webhook registrations of this daemon's URL through the private API token."),
  );
  const sub = (name: Sub, summary: string) => webhooks.command(name).summary(summary).description(summary);
  const run = (name: Sub) => ctx.action((flags: WebhooksFlags, command: Command) => runWebhooks(ctx, name, flags, command));

  sub("list", "this API token's webhook registrations (marks this daemon's)")
    .option("--url <url>", URL_HELP)
    .option("--eshop <id>", ESHOP_HELP, eshopIdValue)
    .usage("[--url U] [--eshop ID]")
    .action(run("list"));
  sub("register", "register this daemon's URL for the events it needs; adds only what is missing")
    .option("--url <url>", URL_HELP)
    .option("--events <list>", EVENTS_HELP)
    .option("--stock-only", "the four stock events only")
    .option("--all", "every event Shoptet can register, one side of each conflict pair")
    .option("--take-over", "also re-point events registered to another receiver's URL")
    .option("--dry-run", "show what would change, change nothing")
    .option("--eshop <id>", ESHOP_HELP, eshopIdValue)
    .usage("[--url U] [--events L | --stock-only | --all] [--take-over] [--dry-run] [--eshop ID]")
    .addHelpText(
      "after",
      "\nWithout --events, --stock-only or --all: the stock events, product:update, productVariant:update and\nevery event an event rule of the rules file matches.",
    )
    .action(run("register"));
  sub("unregister", "remove the registrations of this daemon's URL; other URLs are left alone")
    .option("--url <url>", URL_HELP)
    .option("--events <list>", EVENTS_HELP)
    .option("--dry-run", "show what would change, change nothing")
    .option("--eshop <id>", ESHOP_HELP, eshopIdValue)
    .usage("[--url U] [--events L] [--dry-run] [--eshop ID]")
    .action(run("unregister"));
  sub("rotate-key", "have Shoptet generate a new signature key, print it once (stdout)")
    .option("--eshop <id>", ESHOP_HELP, eshopIdValue)
    .usage("[--eshop ID]")
    .action(run("rotate-key"));
}

/** Exit code: 0 done, 1 refused or failed (the message says what to change), 2 a wrong command line. */
async function runWebhooks(ctx: CliContext, sub: Sub, flags: WebhooksFlags, command: Command): Promise<number> {
  if (flags.events !== undefined || flags.stockOnly || flags.all) {
    const picked = selectEvents({ events: flags.events, stockOnly: flags.stockOnly, all: flags.all });
    if (!picked.ok) usageError(command, picked.error);
  }
  const prepared = prepare(ctx, sub, flags);
  if (typeof prepared === "number") return prepared;
  try {
    const session = await identify(ctx, prepared);
    switch (sub) {
      case "list":
        ctx.io.out.write(formatWebhookList(await session.client.listWebhooks(session.id), session.label, session.url));
        return 0;
      case "register":
        return await registerEvents(session, flags);
      case "unregister":
        return await unregister(session, flags);
      case "rotate-key":
        return await rotateKey(session);
    }
  } catch (error) {
    ctx.io.err.write(`stockwatch webhooks ${sub}: ${coerceError(error).message}\n`);
    if (sub === "register") ctx.io.err.write("nothing is lost: run it again when fixed; it only adds what is still missing\n");
    return 1;
  }
}

interface Prepared {
  settings: Settings;
  target: WebhooksTarget;
  url: string | null;
  client: ShoptetClient;
}

/** Settings, token, URL and client for `sub`, before any call to Shoptet; or, having said why not, the exit code. */
function prepare(ctx: CliContext, sub: Sub, flags: WebhooksFlags): Prepared | number {
  const settings = settingsOrSay(ctx.env, ctx.io.err);
  if (!settings) return 1;
  const target = resolveTarget(settings, flags.eshop);
  if ("error" in target) {
    ctx.io.err.write(`stockwatch webhooks ${sub}: ${target.error}\n`);
    return 1;
  }
  const url = sub === "rotate-key" ? null : daemonUrl(ctx, sub, flags.url);
  if (typeof url === "number") return url;
  return { settings, target, url, client: shoptetClientFor(ctx, settings, () => target.token) };
}

/** The e-shop the token belongs to, for messages and the rotate-key variable name (the token decides). */
async function identify(ctx: CliContext, { settings, target, url, client }: Prepared): Promise<WebhooksSession> {
  let eshopId = target.eshopId;
  if (eshopId === null) {
    try {
      eshopId = (await client.eshopInfo(0)).eshopId;
    } catch (error) {
      if (error instanceof ShoptetApiError && error.status === 401) throw error;
      eshopId = null; // the token may lack the e-shop info group; webhooks may still work
    }
  }
  const label = eshopId === null ? `the e-shop of ${target.variable}` : `e-shop ${eshopId}`;
  return { ctx, settings, client, id: eshopId ?? 0, eshopId, label, url };
}

/**
 * This daemon's webhook URL from --url or $STOCKWATCH_PUBLIC_URL, checked: required to register or
 * unregister, optional for list (it marks ours). A number is the exit code after saying why not.
 */
function daemonUrl(ctx: CliContext, sub: Sub, flag: string | undefined): string | null | number {
  const { err } = ctx.io;
  const text = flag ?? ctx.env[PUBLIC_URL_VARIABLE];
  if (text === undefined || text.trim() === "") {
    if (sub === "list") return null;
    err.write(`stockwatch webhooks ${sub}: which URL? pass --url https://<your host>/webhooks/shoptet, or set ${PUBLIC_URL_VARIABLE}\n`);
    return 1;
  }
  const checked = checkWebhookUrl(text);
  if (!checked.ok) {
    err.write(`stockwatch webhooks ${sub}: refused ${flag !== undefined ? "--url" : PUBLIC_URL_VARIABLE}: ${checked.error}\n`);
    return 1;
  }
  if (sub === "register") for (const note of checked.notes) err.write(`note: ${note}\n`);
  return checked.url;
}

async function unregister(session: WebhooksSession, flags: WebhooksFlags): Promise<number> {
  const picked = flags.events === undefined ? null : selectEvents({ events: flags.events });
  const events = picked?.ok ? new Set(picked.wanted.map((w) => w.event)) : null;
  const url = session.url!;
  const report = await unregisterWebhooks(session.client, { eshopId: session.id, url, events, dryRun: Boolean(flags.dryRun) });
  session.ctx.io.out.write(formatUnregisterReport(report, session.label, url));
  return 0;
}
