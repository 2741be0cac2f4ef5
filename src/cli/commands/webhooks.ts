import { parseArgs } from "node:util";
import type { Env, Settings } from "../../config/env.js";
import { loadRulesFile } from "../../rules/load-rules.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import { coerceError } from "../../shared/errors.js";
import { silentLogger } from "../../shared/logger.js";
import { ShoptetClient } from "../../shoptet/shoptet-client.js";
import { ShoptetApiError } from "../../shoptet/shoptet-error.js";
import type { Sleep } from "../../shoptet/token-gate.js";
import { rulesMatching, selectEvents, type RulesEvents } from "../../registration/event-selection.js";
import { formatRegisterReport, formatUnregisterReport, formatWebhookList } from "../../registration/format-webhooks.js";
import { registerWebhooks } from "../../registration/register-webhooks.js";
import { unregisterWebhooks } from "../../registration/unregister-webhooks.js";
import { checkWebhookUrl } from "../../registration/webhook-url.js";
import { settingsOrSay } from "../command-setup.js";
import type { Output } from "../output.js";

/** Names the URL Shoptet delivers to when `--url` is not given (an extension of the env contract). */
export const PUBLIC_URL_VARIABLE = "STOCKWATCH_PUBLIC_URL";

export const WEBHOOKS_USAGE = `usage: stockwatch webhooks <list|register|unregister|rotate-key> [options]

  list          this API token's webhook registrations (marks this daemon's)
  register      register this daemon's URL for the events it needs; adds only what is missing
  unregister    remove the registrations of this daemon's URL; other URLs are left alone
  rotate-key    have Shoptet generate a new signature key, print it once (stdout)

  --url <url>        where Shoptet delivers, e.g. https://stock.example.com/webhooks/shoptet
                     (default: $${PUBLIC_URL_VARIABLE}); ports 80, 8080, 443 and 8443 only
  --events <list>    exactly these events, comma-separated; globs work: order:*,!order:mass*
  --stock-only       (register) the four stock events only
  --all              (register) every event Shoptet can register, one side of each conflict pair
                     default: the stock events, product:update, productVariant:update and every
                     event an event rule of the rules file matches
  --take-over        (register) also re-point events registered to another receiver's URL
  --dry-run          (register, unregister) show what would change, change nothing
  --eshop <id>       use SHOPTET_API_TOKEN_<id> (needed when several e-shops have tokens)
`;

export interface WebhooksCommandOptions {
  fetch?: typeof fetch;
  clock?: Clock;
  sleep?: Sleep;
}

type Sub = "list" | "register" | "unregister" | "rotate-key";
const SUBS: readonly Sub[] = ["list", "register", "unregister", "rotate-key"];

/** Which flags each subcommand takes; anything else is a usage error (a typo should not be ignored). */
const ALLOWED: Record<Sub, readonly string[]> = {
  list: ["url", "eshop"],
  register: ["url", "events", "stock-only", "all", "take-over", "dry-run", "eshop"],
  unregister: ["url", "events", "dry-run", "eshop"],
  "rotate-key": ["eshop"],
};

interface Target {
  /** Null when the default token does not say (learned from GET /api/eshop when it can be). */
  eshopId: number | null;
  token: string;
  variable: string;
}

/**
 * Picks the API token: `--eshop <id>` → SHOPTET_API_TOKEN_<id> (or the default); otherwise the
 * default SHOPTET_API_TOKEN, or the only per-e-shop token. Errors name the variable to set.
 */
export function resolveTarget(settings: Pick<Settings, "apiToken" | "apiTokens">, eshop: string | undefined): Target | { error: string } {
  if (eshop !== undefined) {
    if (!/^\d+$/.test(eshop)) return { error: `--eshop takes the numeric e-shop id, got "${eshop}"` };
    const id = Number(eshop);
    const own = settings.apiTokens.get(id);
    if (own) return { eshopId: id, token: own, variable: `SHOPTET_API_TOKEN_${id}` };
    if (settings.apiToken) return { eshopId: id, token: settings.apiToken, variable: "SHOPTET_API_TOKEN" };
    return { error: `no Shoptet API token for e-shop ${id}: set SHOPTET_API_TOKEN_${id} (or SHOPTET_API_TOKEN) to a private API token of that e-shop` };
  }
  if (settings.apiToken) return { eshopId: null, token: settings.apiToken, variable: "SHOPTET_API_TOKEN" };
  const ids = [...settings.apiTokens.keys()].sort((a, b) => a - b);
  if (ids.length === 1) {
    const id = ids[0]!;
    return { eshopId: id, token: settings.apiTokens.get(id)!, variable: `SHOPTET_API_TOKEN_${id}` };
  }
  if (ids.length > 1) {
    return { error: `several e-shops have API tokens (${ids.map((id) => `SHOPTET_API_TOKEN_${id}`).join(", ")}): pass --eshop <id> to choose one` };
  }
  return {
    error:
      "managing webhooks needs a Shoptet private API token: set SHOPTET_API_TOKEN (or SHOPTET_API_TOKEN_<eshopId>) " +
      "to a token from the e-shop admin (Connections → Private API) with access to webhooks",
  };
}

/**
 * `stockwatch webhooks list|register|unregister|rotate-key`: manages the Shoptet webhook
 * registrations of this daemon's URL through the private API token. Returns the exit code: 0 done,
 * 1 refused, failed or misused (the message says what to change).
 */
export async function runWebhooksCommand(
  argv: readonly string[],
  env: Env,
  out: Output,
  err: Output = out,
  options: WebhooksCommandOptions = {},
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h") || argv[0] === "help") {
    out.write(WEBHOOKS_USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        url: { type: "string" },
        events: { type: "string" },
        "stock-only": { type: "boolean" },
        all: { type: "boolean" },
        "take-over": { type: "boolean" },
        "dry-run": { type: "boolean" },
        eshop: { type: "string" },
      },
    });
  } catch (error) {
    err.write(`stockwatch webhooks: ${coerceError(error).message}\n\n${WEBHOOKS_USAGE}`);
    return 1;
  }
  const [subText, ...extra] = parsed.positionals;
  const sub = SUBS.find((s) => s === subText);
  if (!sub || extra.length) {
    err.write(
      `stockwatch webhooks: ${!subText ? "missing the command" : !sub ? `unknown command "${subText}"` : `unexpected "${extra.join(" ")}"`}\n\n${WEBHOOKS_USAGE}`,
    );
    return 1;
  }
  const values = parsed.values;
  const wrong = Object.keys(values).filter((k) => !ALLOWED[sub].includes(k));
  if (wrong.length) {
    err.write(`stockwatch webhooks ${sub}: ${wrong.map((k) => `--${k}`).join(", ")} does not apply here\n\n${WEBHOOKS_USAGE}`);
    return 1;
  }

  const settings = settingsOrSay(env, err);
  if (!settings) return 1;
  const target = resolveTarget(settings, values.eshop);
  if ("error" in target) {
    err.write(`stockwatch webhooks ${sub}: ${target.error}\n`);
    return 1;
  }

  // The URL: required to register or unregister, optional for list (marks ours).
  let url: string | null = null;
  const urlText = values.url ?? env[PUBLIC_URL_VARIABLE];
  if (sub !== "rotate-key" && urlText !== undefined && urlText.trim() !== "") {
    const checked = checkWebhookUrl(urlText);
    if (!checked.ok) {
      err.write(`stockwatch webhooks ${sub}: refused ${values.url !== undefined ? "--url" : PUBLIC_URL_VARIABLE}: ${checked.error}\n`);
      return 1;
    }
    url = checked.url;
    if (sub === "register") for (const note of checked.notes) err.write(`note: ${note}\n`);
  }
  if ((sub === "register" || sub === "unregister") && url === null) {
    err.write(
      `stockwatch webhooks ${sub}: which URL? pass --url https://<your host>/webhooks/shoptet, or set ${PUBLIC_URL_VARIABLE}\n`,
    );
    return 1;
  }

  const clock = options.clock ?? systemClock;
  const client = new ShoptetClient({
    baseUrl: settings.shoptetApiUrl,
    tokenFor: () => target.token,
    clock,
    logger: silentLogger(),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });

  try {
    // The e-shop id is only for messages and the rotate-key variable name; the token decides.
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
    const id = eshopId ?? 0;

    switch (sub) {
      case "list": {
        out.write(formatWebhookList(await client.listWebhooks(id), label, url));
        return 0;
      }
      case "register":
        return await register(client, id, label, url!, values, settings, out, err);
      case "unregister": {
        let events: Set<string> | null = null;
        if (values.events !== undefined) {
          const picked = selectEvents({ events: values.events });
          if (!picked.ok) {
            err.write(`stockwatch webhooks unregister: ${picked.error}\n`);
            return 1;
          }
          events = new Set(picked.wanted.map((w) => w.event));
        }
        const report = await unregisterWebhooks(client, { eshopId: id, url: url!, events, dryRun: Boolean(values["dry-run"]) });
        out.write(formatUnregisterReport(report, label, url!));
        return 0;
      }
      case "rotate-key":
        return await rotateKey(client, id, eshopId, settings, out, err);
    }
  } catch (error) {
    const message = coerceError(error).message;
    err.write(`stockwatch webhooks ${sub}: ${message}\n`);
    if (sub === "register") err.write("nothing is lost: run it again when fixed; it only adds what is still missing\n");
    return 1;
  }
}

async function register(
  client: ShoptetClient,
  eshopId: number,
  label: string,
  url: string,
  values: { events?: string | undefined; "stock-only"?: boolean | undefined; all?: boolean | undefined; "take-over"?: boolean | undefined; "dry-run"?: boolean | undefined },
  settings: Settings,
  out: Output,
  err: Output,
): Promise<number> {
  // The rules decide the default selection (an event rule needs its event registered) and the warnings.
  let rules: RulesEvents | null = null;
  const loaded = loadRulesFile(settings.rulesPath);
  if (loaded.ok) rules = loaded.rules;
  else if (values.events === undefined && !values["stock-only"] && !values.all) {
    err.write(
      `note: the rules file ${settings.rulesPath} did not load (check it with \`stockwatch rules check\`); ` +
        "registering the default events without those its event rules would need\n",
    );
  }
  const picked = selectEvents({ events: values.events, stockOnly: values["stock-only"], all: values.all, rules });
  if (!picked.ok) {
    err.write(`stockwatch webhooks register: ${picked.error}\n`);
    return 1;
  }
  const report = await registerWebhooks(client, {
    eshopId,
    url,
    wanted: picked.wanted,
    takeOver: Boolean(values["take-over"]),
    dryRun: Boolean(values["dry-run"]),
  });
  out.write(formatRegisterReport(report, label));

  for (const r of report.results) {
    if (r.step.kind !== "skip-conflict" && r.step.kind !== "skip-taken") continue;
    if (r.outcome !== "skipped" && r.outcome !== "planned") continue;
    const silent = rulesMatching(rules, r.event);
    if (silent.length) {
      err.write(
        `warning: ${silent.map((n) => `rule "${n}"`).join(", ")} match${silent.length === 1 ? "es" : ""} ${r.event}, ` +
          `which is not delivered to this URL: ${silent.length === 1 ? "it" : "they"} will not fire for it\n`,
      );
    }
  }
  const taken = report.results.filter((r) => r.step.kind === "skip-taken" && r.outcome === "skipped");
  const failed = report.results.filter((r) => r.outcome === "failed");
  if (failed.length) err.write(`not done: ${failed.map((r) => r.event).join(", ")} could not be registered (see above)\n`);
  if (taken.length) {
    err.write(
      `not done: ${taken.map((r) => r.event).join(", ")} ${taken.length === 1 ? "goes" : "go"} to another URL; ` +
        "re-run with --take-over to point them here, or leave them to the other receiver\n",
    );
  }
  return failed.length || taken.length ? 1 : 0;
}

async function rotateKey(
  client: ShoptetClient,
  id: number,
  eshopId: number | null,
  settings: Settings,
  out: Output,
  err: Output,
): Promise<number> {
  const key = await client.renewSignatureKey(id);
  const variable = eshopId === null ? "SHOPTET_WEBHOOK_KEY" : `SHOPTET_WEBHOOK_KEY_${eshopId}`;
  // The key goes to stdout alone (so `>> stockwatch.env` captures just the assignment); advice to stderr.
  out.write(`${variable}=${key}\n`);
  const shared = eshopId !== null && settings.webhookKey !== undefined && !settings.webhookKeys.has(eshopId);
  err.write(
    [
      `Shoptet generated a new webhook signature key for ${eshopId === null ? "this e-shop" : `e-shop ${eshopId}`}; it is shown once, above, and stored nowhere.`,
      "From now on Shoptet signs with it, and the old key no longer verifies. Now:",
      `  1. put the line above into the daemon's environment (e.g. the systemd EnvironmentFile), replacing any old ${variable}` +
        (shared ? ` (it overrides SHOPTET_WEBHOOK_KEY for this e-shop)` : ""),
      "  2. restart the daemon (systemctl restart stockwatch).",
      "Until then its webhooks are refused with 401. Shoptet tries each one 3 times, 15 minutes apart:",
      "restart within about 30 minutes and nothing is lost.",
      "",
    ].join("\n"),
  );
  return 0;
}
