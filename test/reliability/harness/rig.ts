import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startShoptetStandin, type ShoptetStandin } from "../../helpers/shoptet-standin.js";
import { startSlackStandin, type SlackStandin } from "../../helpers/slack-standin.js";
import { startSmtpStandin, type SmtpStandin } from "../../helpers/smtp-standin.js";
import { Daemon } from "./daemon.js";
import { SECRETS } from "./secrets.js";

export const ESHOP = 222651;

/** Rules used by most reliability runs: sold-out to Slack, every cancelled order by email. */
export const DEFAULT_RULES = `
timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
  managers: { type: email, to: [manager@example.com] }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    severity: critical
    group: 0s
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [managers]
    group: 0s
`;

export interface RigOptions {
  rules?: string;
  /** Real-time delay of every Shoptet API answer. */
  shoptetDelayMs?: number;
  /** Extra or overriding daemon environment (a function: built once the stand-ins listen). */
  env?: Record<string, string> | ((standins: { shoptet: ShoptetStandin; slack: SlackStandin; smtp: SmtpStandin }) => Record<string, string>);
  /** Folder for the database (e.g. a small mounted filesystem); default the rig's temp folder. */
  dbDir?: string;
  /** Base URL the daemon uses for the Shoptet API (e.g. a fault proxy in front of the stand-in). */
  shoptetUrl?: (standin: ShoptetStandin) => string | Promise<string>;
}

/**
 * Rig is one daemon as a child process with everything it talks to on loopback: the Shoptet API
 * stand-in (with its token), the Slack stand-in, a real SMTP server requiring the password, a
 * rules file and a database file. Every secret comes from SECRETS, so scans can look for them.
 */
export interface Rig {
  dir: string;
  dbPath: string;
  rulesPath: string;
  env: Record<string, string>;
  shoptet: ShoptetStandin;
  slack: SlackStandin;
  smtp: SmtpStandin;
  daemon: Daemon;
  /** Stops the daemon (SIGKILL if it hangs), the stand-ins, and removes the folder. */
  close(): Promise<void>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-rel-"));
  const shoptet = await startShoptetStandin({ eshopId: ESHOP, token: SECRETS.apiToken, delayMs: options.shoptetDelayMs ?? 0 });
  const slack = await startSlackStandin({ token: SECRETS.slackToken });
  const smtp = await startSmtpStandin({ user: SECRETS.smtpUser, pass: SECRETS.smtpPass });
  const rulesPath = join(dir, "rules.yaml");
  writeFileSync(rulesPath, options.rules ?? DEFAULT_RULES);
  const dbPath = join(options.dbDir ?? dir, "stockwatch.db");
  const env: Record<string, string> = {
    STOCKWATCH_DB: dbPath,
    STOCKWATCH_RULES: rulesPath,
    SHOPTET_WEBHOOK_KEY: SECRETS.webhookKey,
    SHOPTET_API_TOKEN: SECRETS.apiToken,
    SHOPTET_API_URL: options.shoptetUrl ? await options.shoptetUrl(shoptet) : shoptet.url,
    SLACK_BOT_TOKEN: SECRETS.slackToken,
    SLACK_API_URL: slack.url,
    SMTP_URL: smtp.url(SECRETS.smtpUser, SECRETS.smtpPass),
    MAIL_FROM: "stockwatch@shop.test",
    ADMIN_TOKEN: SECRETS.adminToken,
    // Debug: the most log lines, so the secret scans see every message the daemon can write.
    LOG_LEVEL: "debug",
    ...(typeof options.env === "function" ? options.env({ shoptet, slack, smtp }) : options.env),
  };
  const daemon = new Daemon({ env });
  let closed = false;
  return {
    dir,
    dbPath,
    rulesPath,
    env,
    shoptet,
    slack,
    smtp,
    daemon,
    async close() {
      if (closed) return;
      closed = true;
      try {
        if (daemon.running) await daemon.stop().catch(() => daemon.kill());
      } finally {
        await Promise.allSettled([shoptet.close(), slack.close(), smtp.close()]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** GET on the admin API with the admin token. */
export async function adminGet<T = any>(daemon: Daemon, path: string): Promise<T> {
  const res = await fetch(`${daemon.url}${path}`, { headers: { authorization: `Bearer ${SECRETS.adminToken}` } });
  if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
