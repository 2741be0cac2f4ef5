import type { DeliveryResult } from "./notifier.js";

type Failure = Extract<DeliveryResult, { ok: false }>;

/** The error every row gets while SMTP authentication fails; the operator fixes SMTP_URL. */
export const SMTP_AUTH_FAILED = "SMTP authentication failed: check the user and password in SMTP_URL";

interface SmtpLikeError {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  message?: unknown;
  permanent?: unknown;
  command?: unknown;
  timeoutType?: unknown;
}

/** Errors from nodemailer that ended or never made the connection: a later attempt may work. */
const CONNECTION_CODES = new Set([
  "ECONNECTION",
  "ETIMEDOUT",
  "ESOCKET",
  "EDNS",
  "ETLS",
  "ECONNREFUSED",
  "ECONNRESET",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "EPROXY",
]);

/**
 * Maps a nodemailer error to a delivery verdict: 4xx replies and connection errors or timeouts
 * are retryable, 5xx replies are permanent, and failed authentication (535 / EAUTH) pauses the
 * email channel until the operator fixes SMTP_URL.
 */
export function classifySmtpError(error: unknown): Failure {
  const e = (typeof error === "object" && error !== null ? error : {}) as SmtpLikeError;
  const code = typeof e.code === "string" ? e.code : undefined;
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const response = typeof e.response === "string" ? e.response.trim() : undefined;
  const message = typeof e.message === "string" ? e.message : String(error);

  if (code === "EAUTH" || code === "ENOAUTH" || reply === 535 || reply === 534 || reply === 530) {
    return { ok: false, retryable: true, reason: "smtp_auth", error: SMTP_AUTH_FAILED, pauseChannel: true };
  }
  if (reply !== undefined && reply >= 400) {
    // nodemailer marks 503 (bad command sequence) as not permanent: a new session may work.
    const permanent = typeof e.permanent === "boolean" ? e.permanent : reply >= 500;
    const said = response ?? message;
    return {
      ok: false,
      retryable: !permanent,
      reason: `smtp_${reply}`,
      error: permanent
        ? `the mail server refused the message for good (${said})`
        : `the mail server deferred the message (${said})`,
    };
  }
  if (code && CONNECTION_CODES.has(code)) {
    const what =
      code === "ETIMEDOUT"
        ? `timed out ${e.timeoutType === "GREETING_TIMEOUT" ? "waiting for the server greeting" : "talking to the mail server"}`
        : `cannot talk to the mail server (${code}: ${message})`;
    return { ok: false, retryable: true, reason: code === "ETIMEDOUT" ? "smtp_timeout" : "smtp_connection", error: what };
  }
  if (code === "EENVELOPE" || code === "EMESSAGE" || code === "ECONFIG") {
    return { ok: false, retryable: false, reason: code.toLowerCase(), error: `the message cannot be sent: ${message}` };
  }
  return { ok: false, retryable: true, reason: "smtp_error", error: `sending mail failed: ${message}` };
}
