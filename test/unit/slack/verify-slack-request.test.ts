import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signSlackRequest, verifySlackRequest } from "../../../src/slack/verify-slack-request.js";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const SECONDS = Math.floor(NOW / 1000);
const BODY = "payload=%7B%22type%22%3A%22block_actions%22%7D";

// Slack's own example from "Verifying requests from Slack" (api.slack.com/authentication/verifying-requests-from-slack).
const SLACK_DOC = {
  secret: "8f742231b10e8888abcd99yyyzzz85a5",
  timestamp: "1531420618",
  body: "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
  signature: "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
};

const hmac = (secret: string, base: string) => createHmac("sha256", secret).update(base).digest("hex");

describe("verifySlackRequest", () => {
  const good = signSlackRequest(SECRET, BODY, SECONDS);
  const cases: { name: string; signature: string | undefined; timestamp: string | undefined; body?: string; now?: number; ok: boolean; reason?: RegExp }[] = [
    { name: "a correct v0 signature", signature: good["x-slack-signature"], timestamp: good["x-slack-request-timestamp"], ok: true },
    { name: "upper-case hex", signature: good["x-slack-signature"].replace(/^v0=/, "").toUpperCase().replace(/^/, "v0="), timestamp: String(SECONDS), ok: true },
    { name: "4 min 59 s old", signature: good["x-slack-signature"], timestamp: String(SECONDS), now: NOW + 299_000, ok: true },
    { name: "5 min 1 s old", signature: good["x-slack-signature"], timestamp: String(SECONDS), now: NOW + 301_000, ok: false, reason: /more than 5 minutes off/ },
    { name: "5 min 1 s in the future", signature: good["x-slack-signature"], timestamp: String(SECONDS), now: NOW - 301_000, ok: false, reason: /more than 5 minutes off/ },
    { name: "a body changed by one byte", signature: good["x-slack-signature"], timestamp: String(SECONDS), body: `${BODY}x`, ok: false, reason: /does not match/ },
    { name: "another secret", signature: `v0=${hmac("other-secret", `v0:${SECONDS}:${BODY}`)}`, timestamp: String(SECONDS), ok: false, reason: /SLACK_SIGNING_SECRET/ },
    { name: "the timestamp header changed", signature: good["x-slack-signature"], timestamp: String(SECONDS + 1), ok: false, reason: /does not match/ },
    { name: "another version", signature: `v1=${hmac(SECRET, `v1:${SECONDS}:${BODY}`)}`, timestamp: String(SECONDS), ok: false, reason: /not a v0 signature/ },
    { name: "a truncated signature", signature: good["x-slack-signature"].slice(0, 40), timestamp: String(SECONDS), ok: false, reason: /not a v0 signature/ },
    { name: "no signature", signature: undefined, timestamp: String(SECONDS), ok: false, reason: /missing X-Slack-Signature/ },
    { name: "no timestamp", signature: good["x-slack-signature"], timestamp: undefined, ok: false, reason: /missing/ },
    { name: "a timestamp that is not seconds", signature: good["x-slack-signature"], timestamp: "1e9", ok: false, reason: /not Unix seconds/ },
  ];
  for (const c of cases) {
    it(`${c.ok ? "accepts" : "refuses"} ${c.name}`, () => {
      const result = verifySlackRequest({ signingSecret: SECRET, rawBody: c.body ?? BODY, signature: c.signature, timestamp: c.timestamp, now: c.now ?? NOW });
      expect(result.ok).toBe(c.ok);
      if (!result.ok) {
        expect(result.reason).toMatch(c.reason!);
        expect(result.reason).not.toContain(SECRET);
      }
    });
  }

  it("accepts Slack's documented example (bytes as a Buffer too)", () => {
    const now = Number(SLACK_DOC.timestamp) * 1000 + 10_000;
    for (const rawBody of [SLACK_DOC.body, Buffer.from(SLACK_DOC.body)]) {
      expect(verifySlackRequest({ signingSecret: SLACK_DOC.secret, rawBody, signature: SLACK_DOC.signature, timestamp: SLACK_DOC.timestamp, now })).toEqual({ ok: true });
    }
  });
});

describe("SLACK_SIGNING_SECRET", () => {
  it("is read from the environment and is one of the secrets scrubbed from logs and stored errors", async () => {
    const { readSettings, secretsOf } = await import("../../../src/config/env.js");
    const settings = readSettings({ SLACK_SIGNING_SECRET: SECRET });
    expect(settings.slackSigningSecret).toBe(SECRET);
    expect(secretsOf(settings)).toContain(SECRET);
    expect(readSettings({ SLACK_SIGNING_SECRET: "  " }).slackSigningSecret).toBeUndefined();
  });
});
