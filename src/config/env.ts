import { ConfigError } from "../shared/errors.js";

/**
 * Settings is everything stockwatch reads from the environment, parsed once at startup.
 * Names and defaults are the public contract (README, "Configuration").
 */
export interface Settings {
  port: number;
  host: string;
  dbPath: string;
  rulesPath: string;
  /** Signature key for every e-shop (`SHOPTET_WEBHOOK_KEY`). */
  webhookKey: string | undefined;
  /** Per-e-shop overrides (`SHOPTET_WEBHOOK_KEY_<eshopId>`). */
  webhookKeys: ReadonlyMap<number, string>;
  apiToken: string | undefined;
  apiTokens: ReadonlyMap<number, string>;
  shoptetApiUrl: string;
  slackBotToken: string | undefined;
  slackApiUrl: string;
  /** Slack app signing secret (`SLACK_SIGNING_SECRET`): verifies POST /slack/interactions; unset, messages carry no buttons. */
  slackSigningSecret: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  adminToken: string | undefined;
  logLevel: string;
  /** Trust X-Forwarded-For from a reverse proxy (`TRUST_PROXY`). */
  trustProxy: boolean;
  /** Optional CIDR allowlist for webhook senders (`SHOPTET_IP_ALLOWLIST`, e.g. 185.184.254.0/24). */
  ipAllowlist: readonly string[];
  /** Largest accepted webhook body in bytes (`WEBHOOK_BODY_LIMIT`). */
  bodyLimit: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace", "silent"]);

function perEshop(env: Env, prefix: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || !name.startsWith(prefix)) continue;
    const id = name.slice(prefix.length);
    if (/^\d+$/.test(id)) out.set(Number(id), value);
  }
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** Reads settings from an environment; throws ConfigError naming the variable to fix. */
export function readSettings(env: Env): Settings {
  const portText = nonEmpty(env.PORT) ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0-65535), got "${portText}"`);
  }
  const logLevel = (nonEmpty(env.LOG_LEVEL) ?? "info").toLowerCase();
  if (!LOG_LEVELS.has(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${[...LOG_LEVELS].join(", ")}, got "${env.LOG_LEVEL}"`);
  }
  const limitText = nonEmpty(env.WEBHOOK_BODY_LIMIT) ?? "1048576";
  const bodyLimit = Number(limitText);
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1024) {
    throw new ConfigError(`WEBHOOK_BODY_LIMIT must be a whole number of bytes >= 1024, got "${limitText}"`);
  }
  for (const name of ["SHOPTET_API_URL", "SLACK_API_URL", "SMTP_URL"] as const) {
    const value = nonEmpty(env[name]);
    if (value !== undefined && !URL.canParse(value)) {
      throw new ConfigError(`${name} must be a URL, got a value that does not parse`);
    }
  }
  const allowlist = (nonEmpty(env.SHOPTET_IP_ALLOWLIST) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    port,
    host: nonEmpty(env.HOST) ?? "0.0.0.0",
    dbPath: nonEmpty(env.STOCKWATCH_DB) ?? "data/stockwatch.db",
    rulesPath: nonEmpty(env.STOCKWATCH_RULES) ?? "config/rules.yaml",
    webhookKey: nonEmpty(env.SHOPTET_WEBHOOK_KEY),
    webhookKeys: perEshop(env, "SHOPTET_WEBHOOK_KEY_"),
    apiToken: nonEmpty(env.SHOPTET_API_TOKEN),
    apiTokens: perEshop(env, "SHOPTET_API_TOKEN_"),
    shoptetApiUrl: nonEmpty(env.SHOPTET_API_URL) ?? "https://api.myshoptet.com",
    slackBotToken: nonEmpty(env.SLACK_BOT_TOKEN),
    slackApiUrl: nonEmpty(env.SLACK_API_URL) ?? "https://slack.com/api/",
    slackSigningSecret: nonEmpty(env.SLACK_SIGNING_SECRET),
    smtpUrl: nonEmpty(env.SMTP_URL),
    mailFrom: nonEmpty(env.MAIL_FROM) ?? "stockwatch@localhost",
    adminToken: nonEmpty(env.ADMIN_TOKEN),
    logLevel,
    trustProxy: /^(1|true|yes)$/i.test(env.TRUST_PROXY ?? ""),
    ipAllowlist: allowlist,
    bodyLimit,
  };
}

/** All secrets in the settings, for scrubbing error text before it is stored or logged. */
export function secretsOf(settings: Settings): string[] {
  const out: string[] = [];
  const push = (v: string | undefined) => v && out.push(v);
  push(settings.webhookKey);
  settings.webhookKeys.forEach((v) => push(v));
  push(settings.apiToken);
  settings.apiTokens.forEach((v) => push(v));
  push(settings.slackBotToken);
  push(settings.slackSigningSecret);
  push(settings.adminToken);
  if (settings.smtpUrl) {
    const url = new URL(settings.smtpUrl);
    push(url.password ? decodeURIComponent(url.password) : undefined);
  }
  return out;
}
