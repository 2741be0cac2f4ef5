import { isUtf8 } from "node:buffer";
import { isKnownEvent } from "./accepted-webhook.js";
import { jsonNestingExceeds } from "./json-depth.js";
import { isValidSignature, looksLikeSignature } from "./verify-signature.js";
import { describeEnvelopeError, eshopIdOf, eventTimeMs, isTimeUntrusted, webhookEnvelope, type WebhookEnvelope } from "./webhook-envelope.js";

/**
 * Deepest nesting accepted in a body. Shoptet's optional `payload` mirrors an API detail response
 * (a handful of levels); far deeper input is not from Shoptet and would overflow recursive code
 * (JSON.stringify when the payload is stored) — answered 400 here instead of failing later.
 */
export const MAX_JSON_DEPTH = 64;

/** The request headers the checks read (node:http's IncomingHttpHeaders fits). */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A warning for the log, written once per `key` by the caller (repeats are not logged). */
export interface WebhookWarning {
  key: string;
  message: string;
  fields: object;
}

/** Why a webhook is refused: the HTTP status, the metric's reason, the message of the JSON answer. */
export interface WebhookRejection {
  ok: false;
  status: number;
  reason: string;
  message: string;
  /** Answer with `connection: close` (the rest of the body is not read). */
  close?: true;
  warning?: WebhookWarning;
}

/** A webhook that passed every check, with eventCreated parsed once (it goes on to the dedupe key). */
export interface WebhookAccepted {
  ok: true;
  envelope: WebhookEnvelope;
  createdMs: number;
  /** The event is in Shoptet's catalogue (else it is stored and counted as "unknown"). */
  known: boolean;
  warning?: WebhookWarning;
}

export type WebhookCheck = WebhookRejection | WebhookAccepted;

export interface WebhookCheckConfig {
  /** The signature key for an e-shop (per-shop override, else the default), or undefined. */
  keyFor: (eshopId: number | undefined) => string | undefined;
  bodyLimit: number;
  /** When the body arrived (epoch ms), to spot an eventCreated too far ahead. */
  receivedAt: number;
}

function rejection(status: number, reason: string, message: string, extra: { close?: true; warning?: WebhookWarning } = {}): WebhookRejection {
  return { ok: false, status, reason, message, ...extra };
}

/** The 413 for a body over the limit, as soon as the bytes read pass it. */
export function bodyTooLarge(bodyLimit: number): WebhookRejection {
  return rejection(413, "too_large", `body is over the ${bodyLimit}-byte limit`, { close: true });
}

/**
 * The checks that need only the headers, before any byte of the body is read: content encoding and
 * the declared length. null: read the body.
 */
export function checkWebhookHeaders(headers: WebhookHeaders, bodyLimit: number): WebhookRejection | null {
  const encoding = headers["content-encoding"];
  if (encoding !== undefined && encoding !== "identity") {
    return rejection(415, "encoding", `content-encoding "${encoding}" is not accepted; send the plain JSON body`, { close: true });
  }
  const declared = headers["content-length"];
  if (declared !== undefined && Number(declared) > bodyLimit) {
    return rejection(413, "too_large", `body of ${declared} bytes is over the ${bodyLimit}-byte limit`, { close: true });
  }
  return null;
}

function signatureMissing(signature: string | string[] | undefined): WebhookRejection {
  return rejection(
    401,
    "signature_missing",
    signature === undefined ? "Shoptet-Webhook-Signature header is missing" : "Shoptet-Webhook-Signature must be 40 hex characters (HMAC-SHA1)",
  );
}

/** Key and HMAC of a signature that has the right shape; the parsed body chooses the e-shop's key. */
function checkSignature(signature: string, raw: Buffer, parsed: unknown, keyFor: WebhookCheckConfig["keyFor"]): WebhookRejection | null {
  const eshopId = eshopIdOf(parsed);
  const key = keyFor(eshopId);
  if (key === undefined) {
    const variable = eshopId === undefined ? "SHOPTET_WEBHOOK_KEY" : `SHOPTET_WEBHOOK_KEY_${eshopId} or SHOPTET_WEBHOOK_KEY`;
    const warning = { key: `nokey:${eshopId}`, message: `webhook refused: no signature key configured; set ${variable}`, fields: { eshopId } };
    return rejection(401, "no_key", `no signature key is configured for this e-shop; the operator must set ${variable}`, { warning });
  }
  if (!isValidSignature(key, raw, signature)) {
    const warning = {
      key: `badsig:${eshopId}`,
      message:
        "webhook refused: signature mismatch; check the key against the one returned by POST /api/webhooks/renew-signature-key (repeats are not logged)",
      fields: { eshopId },
    };
    return rejection(401, "signature_mismatch", "signature does not match the body", { warning });
  }
  return null;
}

function parseJson(raw: Buffer): { value: unknown } | null {
  try {
    return { value: JSON.parse(raw.toString("utf8")) };
  } catch {
    return null;
  }
}

/**
 * Every check of a webhook's body, in the receiver's order: size, signature (on the raw bytes,
 * the key chosen by the body's eshopId), UTF-8, JSON, envelope, nesting depth, eventCreated. Pure
 * and never throws, whatever the bytes; the caller answers the rejection or stores the envelope.
 */
export function checkWebhook(headers: WebhookHeaders, raw: Buffer, config: WebhookCheckConfig): WebhookCheck {
  if (raw.length > config.bodyLimit) return bodyTooLarge(config.bodyLimit);
  const signature = headers["shoptet-webhook-signature"];
  if (!looksLikeSignature(signature)) return signatureMissing(signature);
  const parsed = parseJson(raw);
  const refused = checkSignature(signature, raw, parsed?.value, config.keyFor);
  if (refused) return refused;
  // JSON must be UTF-8 (RFC 8259); decoding would silently replace bad bytes, and two bodies
  // differing only there would then share a dedupe key.
  if (!isUtf8(raw)) return rejection(400, "not_utf8", "body is not valid UTF-8");
  if (!parsed) return rejection(400, "not_json", "body is not valid JSON");
  const envelope = webhookEnvelope.safeParse(parsed.value);
  if (!envelope.success) return rejection(400, "not_envelope", `not a Shoptet webhook: ${describeEnvelopeError(envelope.error)}`);
  const e = envelope.data;
  if (e.payload !== undefined && jsonNestingExceeds(raw, MAX_JSON_DEPTH)) {
    return rejection(400, "too_deep", `body nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
  // The one parse of eventCreated: it checks the date exists and goes on to the dedupe key.
  const createdMs = eventTimeMs(e.eventCreated);
  if (createdMs === null) {
    return rejection(
      400,
      "bad_time",
      `eventCreated "${e.eventCreated}" is not a date that exists; send a Shoptet time like 2019-01-08T15:13:39+0100`,
    );
  }
  const accepted: WebhookAccepted = { ok: true, envelope: e, createdMs, known: isKnownEvent(e.event) };
  if (isTimeUntrusted(createdMs, config.receivedAt)) {
    accepted.warning = {
      key: `future:${e.eshopId}`,
      message:
        "webhook dated more than an hour ahead of this clock: stored, but ordered by its receipt time (check the clocks; repeats are not logged)",
      fields: { eshopId: e.eshopId, event: e.event, eventCreated: e.eventCreated },
    };
  }
  return accepted;
}
