import type { DeliveryResult } from "./notifier.js";

type Failure = Extract<DeliveryResult, { ok: false }>;

/**
 * Slack platform errors (`ok: false`) that mean "try again later". Every other platform error
 * (channel_not_found, not_in_channel, invalid_auth, …) will fail the same way again: permanent.
 */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
]);

/** What the operator can do about a permanent Slack error, where there is something to do. */
const HINTS: Record<string, string> = {
  channel_not_found: "check the channel name or id in the rules file, and that the bot can see it",
  not_in_channel: "invite the bot to the channel (/invite @your-bot) or give it the chat:write.public scope",
  is_archived: "the channel is archived: unarchive it or point the rules file at another channel",
  invalid_auth: "SLACK_BOT_TOKEN is not valid: set a bot token (xoxb-…) of the installed app",
  not_authed: "SLACK_BOT_TOKEN is missing from the request: set SLACK_BOT_TOKEN",
  account_inactive: "the bot's token belongs to a deleted user or app: reinstall the app and update SLACK_BOT_TOKEN",
  token_revoked: "SLACK_BOT_TOKEN was revoked: reinstall the app and update SLACK_BOT_TOKEN",
  missing_scope: "the app lacks the chat:write scope: add it and reinstall the app",
  msg_too_long: "the message is too long for Slack",
};

interface SlackLikeError {
  code?: unknown;
  message?: unknown;
  retryAfter?: unknown;
  statusCode?: unknown;
  data?: { error?: unknown };
  original?: { message?: unknown; name?: unknown };
}

const RETRYABLE_HTTP = new Set([408, 409, 425, 429]);

/**
 * Maps an error thrown by `@slack/web-api` (retries off, rate-limited calls rejected) to a
 * delivery verdict: rate limit, HTTP 5xx and network errors are retryable; platform errors are
 * permanent unless Slack says they are temporary.
 */
export function classifySlackError(error: unknown): Failure {
  const e = (typeof error === "object" && error !== null ? error : {}) as SlackLikeError;
  const message = typeof e.message === "string" ? e.message : String(error);
  switch (e.code) {
    case "slack_webapi_rate_limited_error": {
      const seconds = typeof e.retryAfter === "number" && e.retryAfter >= 0 ? e.retryAfter : 1;
      return {
        ok: false,
        retryable: true,
        reason: "rate_limited",
        error: `Slack rate limit: asked to wait ${seconds} s`,
        retryAfterMs: seconds * 1000,
      };
    }
    case "slack_webapi_http_error": {
      const status = typeof e.statusCode === "number" ? e.statusCode : 0;
      const retryable = status >= 500 || RETRYABLE_HTTP.has(status);
      return {
        ok: false,
        retryable,
        reason: `http_${status}`,
        error: retryable
          ? `Slack answered HTTP ${status}`
          : `Slack answered HTTP ${status}: check SLACK_API_URL points at the Slack Web API`,
      };
    }
    case "slack_webapi_request_error": {
      const original = e.original;
      const cause = original && typeof original.message === "string" ? original.message : message;
      const timedOut = original?.name === "TimeoutError" || /abort|timeout/i.test(cause);
      return {
        ok: false,
        retryable: true,
        reason: timedOut ? "timeout" : "network",
        error: timedOut ? "Slack request timed out" : `cannot reach Slack: ${cause}`,
      };
    }
    case "slack_webapi_platform_error": {
      const code = typeof e.data?.error === "string" ? e.data.error : "unknown_error";
      const retryable = TRANSIENT_PLATFORM_ERRORS.has(code);
      const hint = HINTS[code];
      return {
        ok: false,
        retryable,
        reason: code,
        error: `Slack refused the message: ${code}${hint ? ` (${hint})` : ""}`,
      };
    }
    default:
      // A 429 without a usable Retry-After, or something unexpected: worth another try.
      return { ok: false, retryable: true, reason: "error", error: `Slack call failed: ${message}` };
  }
}

/** Platform errors on chat.update that mean the original message is gone: post a new one instead. */
export const MESSAGE_GONE = new Set(["message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found"]);

export function platformErrorCode(error: unknown): string | undefined {
  const e = (typeof error === "object" && error !== null ? error : {}) as SlackLikeError;
  if (e.code !== "slack_webapi_platform_error") return undefined;
  return typeof e.data?.error === "string" ? e.data.error : undefined;
}
