import { rulesMatching, selectEvents, type RulesEvents } from "../../registration/event-selection.js";
import { formatRegisterReport } from "../../registration/format-webhooks.js";
import { registerWebhooks, type RegisterReport } from "../../registration/register-webhooks.js";
import { loadRulesFile } from "../../rules/load-rules.js";
import type { Output } from "../output.js";
import type { WebhooksFlags, WebhooksSession } from "./webhooks.js";

/**
 * `webhooks register`: registers the selected events for this daemon's URL, then warns about
 * rules left silent by events that go elsewhere. Exit 1 when something was not done.
 */
export async function registerEvents(session: WebhooksSession, flags: WebhooksFlags): Promise<number> {
  const { out, err } = session.ctx.io;
  const rulesPath = session.settings.rulesPath;
  // The rules decide the default selection (an event rule needs its event registered) and the warnings.
  let rules: RulesEvents | null = null;
  const loaded = loadRulesFile(rulesPath);
  if (loaded.ok) rules = loaded.rules;
  else if (flags.events === undefined && !flags.stockOnly && !flags.all) {
    err.write(
      `note: the rules file ${rulesPath} did not load (check it with \`stockwatch rules check\`); ` +
        "registering the default events without those its event rules would need\n",
    );
  }
  const picked = selectEvents({ events: flags.events, stockOnly: flags.stockOnly, all: flags.all, rules });
  if (!picked.ok) throw new Error(picked.error); // checked before: only the default is left, and it always is
  const report = await registerWebhooks(session.client, {
    eshopId: session.id,
    url: session.url!,
    wanted: picked.wanted,
    takeOver: Boolean(flags.takeOver),
    dryRun: Boolean(flags.dryRun),
  });
  out.write(formatRegisterReport(report, session.label));
  return reportLeftovers(report, rules, err);
}

/** Warnings for rules an unregistered event leaves silent, and what was not done: exit 0 or 1. */
function reportLeftovers(report: RegisterReport, rules: RulesEvents | null, err: Output): number {
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

/** `webhooks rotate-key`: the new key alone on stdout (so `>> stockwatch.env` captures it), advice on stderr. */
export async function rotateKey(session: WebhooksSession): Promise<number> {
  const { eshopId, settings } = session;
  const { out, err } = session.ctx.io;
  const key = await session.client.renewSignatureKey(session.id);
  const variable = eshopId === null ? "SHOPTET_WEBHOOK_KEY" : `SHOPTET_WEBHOOK_KEY_${eshopId}`;
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
