import { describe, expect, it } from "vitest";
import { checkWebhook, checkWebhookHeaders, MAX_JSON_DEPTH, type WebhookCheckConfig } from "../../../src/receiver/check-webhook.js";
import { signBody } from "../../../src/receiver/verify-signature.js";
import { TEST_KEY } from "../../helpers/webhooks.js";

const receivedAt = Date.parse("2026-11-27T12:00:00Z");
const config: WebhookCheckConfig = {
  keyFor: (eshopId) => (eshopId === 7 ? undefined : eshopId === 8 ? "eight" : TEST_KEY),
  bodyLimit: 400,
  receivedAt,
};
const valid = { eshopId: 222651, event: "stock:inStock", eventCreated: "2026-11-27T12:59:00+0100", eventInstance: "KAV-1" };
const json = (body: object) => JSON.stringify(body);
const signed = (raw: string | Buffer, key = TEST_KEY) => ({ "shoptet-webhook-signature": signBody(key, raw) });
const deep = `{"eshopId":222651,"event":"a:b","eventCreated":"2026-11-27T12:59:00+0100","eventInstance":"x","payload":{"a":${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}}}`;
const notUtf8 = Buffer.concat([Buffer.from('{"eshopId":222651,"event":"a:b","eventCreated":"2026-11-27T12:59:00+0100","eventInstance":"'), Buffer.from([0xff]), Buffer.from('"}')]);

interface Row {
  name: string;
  raw: string | Buffer;
  headers?: Record<string, string>;
  /** Sign the body with this key (default TEST_KEY) unless headers are given. */
  key?: string;
  expected: { status: number; reason: string; message: string; close?: true; warning?: string };
}

const rejections: Row[] = [
  { name: "body over the limit", raw: "x".repeat(401), expected: { status: 413, reason: "too_large", message: "body is over the 400-byte limit", close: true } },
  { name: "no signature header", raw: json(valid), headers: {}, expected: { status: 401, reason: "signature_missing", message: "Shoptet-Webhook-Signature header is missing" } },
  {
    name: "signature not 40 hex",
    raw: json(valid),
    headers: { "shoptet-webhook-signature": "abc" },
    expected: { status: 401, reason: "signature_missing", message: "Shoptet-Webhook-Signature must be 40 hex characters (HMAC-SHA1)" },
  },
  {
    name: "no key for the e-shop",
    raw: json({ ...valid, eshopId: 7 }),
    expected: {
      status: 401,
      reason: "no_key",
      message: "no signature key is configured for this e-shop; the operator must set SHOPTET_WEBHOOK_KEY_7 or SHOPTET_WEBHOOK_KEY",
      warning: "nokey:7",
    },
  },
  {
    name: "signed with another e-shop's key",
    raw: json({ ...valid, eshopId: 8 }),
    expected: { status: 401, reason: "signature_mismatch", message: "signature does not match the body", warning: "badsig:8" },
  },
  {
    name: "signed with the wrong key",
    raw: json(valid),
    key: "wrong",
    expected: { status: 401, reason: "signature_mismatch", message: "signature does not match the body", warning: "badsig:222651" },
  },
  { name: "not UTF-8", raw: notUtf8, expected: { status: 400, reason: "not_utf8", message: "body is not valid UTF-8" } },
  { name: "not JSON", raw: "{nope", expected: { status: 400, reason: "not_json", message: "body is not valid JSON" } },
  {
    name: "JSON but not an envelope",
    raw: json({ ...valid, event: "nocolon" }),
    expected: { status: 400, reason: "not_envelope", message: "not a Shoptet webhook: event: event must look like entity:action" },
  },
  { name: "an array", raw: "[]", expected: { status: 400, reason: "not_envelope", message: "not a Shoptet webhook: body: Invalid input: expected object, received array" } },
  { name: "payload nested too deep", raw: deep, expected: { status: 400, reason: "too_deep", message: `body nests deeper than ${MAX_JSON_DEPTH} levels` } },
  {
    name: "eventCreated on a day that does not exist",
    raw: json({ ...valid, eventCreated: "2026-02-30T10:00:00+0100" }),
    expected: {
      status: 400,
      reason: "bad_time",
      message: 'eventCreated "2026-02-30T10:00:00+0100" is not a date that exists; send a Shoptet time like 2019-01-08T15:13:39+0100',
    },
  },
];

describe("checkWebhook: every rejection with its HTTP status and message", () => {
  it.each(rejections)("$name → $expected.status $expected.reason", ({ raw, headers, key, expected }) => {
    const result = checkWebhook(headers ?? signed(raw, key), Buffer.from(raw), config);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { warning, ...rest } = result;
    expect(rest).toEqual({ ok: false, status: expected.status, reason: expected.reason, message: expected.message, ...(expected.close ? { close: true } : {}) });
    expect(warning?.key).toBe(expected.warning);
  });
});

describe("checkWebhook: accepted", () => {
  it.each([
    { name: "a known event", body: valid, known: true, warning: undefined },
    { name: "an unknown event is still accepted", body: { ...valid, event: "order:teleported" }, known: false, warning: undefined },
    { name: "a numeric eventInstance becomes text", body: { ...valid, eventInstance: 42 }, known: true, warning: undefined },
    { name: "an hour and a minute ahead: accepted, with a warning", body: { ...valid, eventCreated: "2026-11-27T14:01:00+0100" }, known: true, warning: "future:222651" },
    { name: "exactly an hour ahead: no warning", body: { ...valid, eventCreated: "2026-11-27T14:00:00+0100" }, known: true, warning: undefined },
    { name: "a shallow payload", body: { ...valid, payload: { a: [1, { b: 2 }] } }, known: true, warning: undefined },
  ])("$name", ({ body, known, warning }) => {
    const raw = json(body);
    const result = checkWebhook(signed(raw), Buffer.from(raw), config);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.known).toBe(known);
    expect(result.createdMs).toBe(Date.parse(body.eventCreated));
    expect(result.envelope).toEqual({ ...body, eventInstance: String(body.eventInstance) });
    expect(result.warning?.key).toBe(warning);
  });

  it("signatures are checked case-insensitively and with the key of the body's e-shop", () => {
    const raw = json({ ...valid, eshopId: 8 });
    expect(checkWebhook({ "shoptet-webhook-signature": signBody("eight", raw).toUpperCase() }, Buffer.from(raw), config).ok).toBe(true);
  });
});

describe("checkWebhookHeaders: before the body is read", () => {
  it.each([
    { headers: {}, expected: null },
    { headers: { "content-encoding": "identity", "content-length": "400" }, expected: null },
    {
      headers: { "content-encoding": "gzip" },
      expected: { ok: false, status: 415, reason: "encoding", message: 'content-encoding "gzip" is not accepted; send the plain JSON body', close: true },
    },
    {
      headers: { "content-length": "401" },
      expected: { ok: false, status: 413, reason: "too_large", message: "body of 401 bytes is over the 400-byte limit", close: true },
    },
  ])("$headers → $expected.status", ({ headers, expected }) => {
    expect(checkWebhookHeaders(headers, 400)).toEqual(expected);
  });
});
