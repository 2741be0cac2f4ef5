import type { Db } from "../db/open-database.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { EmailNotifier, type SmtpTimeouts } from "./email-notifier.js";
import type { Notifier, Transport } from "./notifier.js";
import { createSlackApi, SlackNotifier } from "./slack-notifier.js";
import { SqliteSlackThreadStore } from "../store/sqlite/slack-thread-store.js";

/** What the notifiers read from the settings (src/config/env.ts). */
export interface NotifierSettings {
  slackBotToken: string | undefined;
  slackApiUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
}

export interface NotifierDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** Test hooks: shorter timeouts. */
  slackTimeoutMs?: number;
  smtpTimeouts?: Partial<SmtpTimeouts>;
}

type Factory = (settings: NotifierSettings, deps: NotifierDeps) => Notifier | undefined;

/** One factory per transport; `satisfies` makes tsc report a transport without one. */
const FACTORIES = {
  slack: (s, d) =>
    s.slackBotToken
      ? new SlackNotifier({
          api: createSlackApi({
            token: s.slackBotToken,
            apiUrl: s.slackApiUrl,
            logger: d.logger,
            ...(d.slackTimeoutMs === undefined ? {} : { timeoutMs: d.slackTimeoutMs }),
          }),
          threads: new SqliteSlackThreadStore(d.db),
          clock: d.clock,
        })
      : undefined,
  email: (s, d) =>
    s.smtpUrl
      ? new EmailNotifier({ smtpUrl: s.smtpUrl, from: s.mailFrom, ...(d.smtpTimeouts ? { timeouts: d.smtpTimeouts } : {}) })
      : undefined,
} satisfies Record<Transport, Factory>;

/**
 * The notifier of every transport whose credentials are set (SLACK_BOT_TOKEN, SMTP_URL). A
 * missing transport is not an error: its deliveries are recorded as unconfigured.
 */
export function createNotifiers(settings: NotifierSettings, deps: NotifierDeps): Partial<Record<Transport, Notifier>> {
  const out: Partial<Record<Transport, Notifier>> = {};
  for (const [transport, factory] of Object.entries(FACTORIES) as [Transport, Factory][]) {
    const notifier = factory(settings, deps);
    if (notifier) out[transport] = notifier;
  }
  return out;
}

/** The startup log line for each transport that is not configured (logged once). */
export function unconfiguredTransports(settings: NotifierSettings): { transport: Transport; message: string }[] {
  const out: { transport: Transport; message: string }[] = [];
  if (!settings.slackBotToken) out.push({ transport: "slack", message: UNCONFIGURED.slack });
  if (!settings.smtpUrl) out.push({ transport: "email", message: UNCONFIGURED.email });
  return out;
}

/** Why a delivery over a transport without credentials is not sent, and what to set. */
export const UNCONFIGURED: Record<Transport, string> = {
  slack: "Slack is not configured: set SLACK_BOT_TOKEN (a bot token, xoxb-…) to deliver Slack messages, then retry them with `stockwatch deliveries retry`",
  email: "email is not configured: set SMTP_URL (e.g. smtp://user:pass@mail.example.com:587) and MAIL_FROM to deliver email, then retry them with `stockwatch deliveries retry`",
};
