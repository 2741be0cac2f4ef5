import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { classifySlackError } from "../../../src/notifiers/slack-errors.js";
import { classifySmtpError, SMTP_AUTH_FAILED } from "../../../src/notifiers/smtp-errors.js";

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });
const smtp = (props: Record<string, unknown>) => Object.assign(new Error(String(props.message ?? "smtp")), props);

describe("classifySlackError", () => {
  it("retries a rate limit after Retry-After", () => {
    expect(classifySlackError(new WebAPIRateLimitedError(2))).toMatchObject({ retryable: true, reason: "rate_limited", retryAfterMs: 2000 });
  });
  it("retries HTTP 5xx and network errors, not other HTTP answers", () => {
    expect(classifySlackError(new WebAPIHTTPError(503, "Unavailable", {}, ""))).toMatchObject({ retryable: true, reason: "http_503" });
    expect(classifySlackError(new WebAPIHTTPError(404, "Not Found", {}, ""))).toMatchObject({ retryable: false, reason: "http_404" });
    expect(classifySlackError(new WebAPIRequestError(new TypeError("fetch failed")))).toMatchObject({ retryable: true, reason: "network" });
    const timeout = Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
    expect(classifySlackError(new WebAPIRequestError(timeout))).toMatchObject({ retryable: true, reason: "timeout" });
  });
  it.each(["channel_not_found", "not_in_channel", "invalid_auth", "is_archived", "msg_too_long"])(
    "treats %s as permanent, naming it",
    (code) => {
      const r = classifySlackError(platform(code));
      expect(r).toMatchObject({ retryable: false, reason: code });
      expect(r.error).toContain(code);
    },
  );
  it("retries the platform errors Slack calls temporary", () => {
    expect(classifySlackError(platform("internal_error"))).toMatchObject({ retryable: true });
    expect(classifySlackError(platform("service_unavailable"))).toMatchObject({ retryable: true });
  });
  it("retries anything unexpected", () => {
    expect(classifySlackError(new Error("Retry header did not contain a valid timeout"))).toMatchObject({ retryable: true });
  });
});

describe("classifySmtpError", () => {
  it("retries 4xx replies and connection trouble", () => {
    expect(classifySmtpError(smtp({ code: "EPROTOCOL", responseCode: 421, response: "421 busy", permanent: false }))).toMatchObject({ retryable: true, reason: "smtp_421" });
    expect(classifySmtpError(smtp({ code: "EMESSAGE", responseCode: 451, response: "451 later" }))).toMatchObject({ retryable: true });
    expect(classifySmtpError(smtp({ code: "ETIMEDOUT", timeoutType: "GREETING_TIMEOUT" }))).toMatchObject({
      retryable: true,
      reason: "smtp_timeout",
      error: "timed out waiting for the server greeting",
    });
    expect(classifySmtpError(smtp({ code: "ESOCKET", message: "connect ECONNREFUSED" }))).toMatchObject({ retryable: true, reason: "smtp_connection" });
  });
  it("gives up on 5xx replies, except 503", () => {
    expect(classifySmtpError(smtp({ code: "EENVELOPE", responseCode: 550, response: "550 no such user", permanent: true }))).toMatchObject({
      retryable: false,
      reason: "smtp_550",
    });
    expect(classifySmtpError(smtp({ code: "EPROTOCOL", responseCode: 503, permanent: false }))).toMatchObject({ retryable: true });
  });
  it("pauses the channel when authentication fails", () => {
    for (const e of [smtp({ code: "EAUTH", responseCode: 535 }), smtp({ code: "EAUTH" })]) {
      expect(classifySmtpError(e)).toEqual({ ok: false, retryable: true, reason: "smtp_auth", error: SMTP_AUTH_FAILED, pauseChannel: true });
    }
  });
});
