import { isUtf8 } from "node:buffer";
import type { IncomingMessage, ServerResponse } from "node:http";
import { isKnownEvent } from "./accepted-webhook.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { IngestQueue } from "./ingest-queue.js";
import type { IpCheck } from "./ip-allowlist.js";
import { jsonNestingExceeds } from "./json-depth.js";
import { isValidSignature, looksLikeSignature } from "./verify-signature.js";
import { describeEnvelopeError, eshopIdOf, eventTimeMs, isTimeUntrusted, webhookEnvelope } from "./webhook-envelope.js";

export interface WebhookHandlerDeps {
  /** The signature key for an e-shop (per-shop override, else the default), or undefined. */
  keyFor: (eshopId: number | undefined) => string | undefined;
  bodyLimit: number;
  ingest: IngestQueue;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Sender address check (allowlist); receives the client address chosen by the server. null: no allowlist. */
  ipAllowed: IpCheck | null;
  clientAddress: (req: IncomingMessage) => string | undefined;
}

/**
 * Deepest nesting accepted in a body. Shoptet's optional `payload` mirrors an API detail response
 * (a handful of levels); far deeper input is not from Shoptet and would overflow recursive code
 * (JSON.stringify when the payload is stored) — answered 400 here instead of failing later.
 */
export const MAX_JSON_DEPTH = 64;

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };

/** The 200, written without building a header object or serialising one (it goes out thousands of times a second). */
function acknowledge(res: ServerResponse, id: number, duplicate: boolean): void {
  const text = `{"ok":true,"id":${id},"duplicate":${duplicate}}`;
  res.writeHead(200, ["content-type", JSON_TYPE["content-type"], "content-length", String(text.length)]);
  res.end(text);
}

function answer(res: ServerResponse, status: number, body: object, close = false): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = { ...JSON_TYPE, "content-length": Buffer.byteLength(text) };
  if (close) headers.connection = "close";
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * The webhook endpoint, on plain node:http rather than Express: it is the hot path, and Express's
 * per-request machinery would cost most of the throughput. Order of checks: sender address, size,
 * signature (on the raw bytes), envelope; then group commit, and 200 only after the commit.
 */
export function createWebhookHandler(deps: WebhookHandlerDeps) {
  const { keyFor, bodyLimit, ingest, clock, logger, metrics } = deps;
  const warned = new Set<string>();
  // One counter child per (event, outcome), looked up once: this runs for every webhook.
  const stored = new Map<string, { inc(): void }>();
  const countStored = (event: string, outcome: "stored" | "duplicate") => {
    const key = `${outcome}\u0000${event}`;
    let child = stored.get(key);
    if (!child) stored.set(key, (child = metrics.webhooks.labels({ event, outcome })));
    child.inc();
  };

  function reject(res: ServerResponse, status: number, reason: string, message: string, close = false): void {
    metrics.webhookRejections.inc({ reason });
    answer(res, status, { error: message }, close);
  }

  function warnOnce(key: string, message: string, fields: object): void {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(fields, message);
  }

  return function handleWebhook(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    if (deps.ipAllowed && !deps.ipAllowed(deps.clientAddress(req))) {
      req.resume();
      reject(res, 403, "ip", "sender address is not in SHOPTET_IP_ALLOWLIST");
      return;
    }
    const encoding = req.headers["content-encoding"];
    if (encoding !== undefined && encoding !== "identity") {
      reject(res, 415, "encoding", `content-encoding "${encoding}" is not accepted; send the plain JSON body`, true);
      req.resume();
      return;
    }
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > bodyLimit) {
      reject(res, 413, "too_large", `body of ${declared} bytes is over the ${bodyLimit}-byte limit`, true);
      return;
    }
    const signature = req.headers["shoptet-webhook-signature"];
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > bodyLimit) {
        tooLarge = true;
        chunks.length = 0;
        reject(res, 413, "too_large", `body is over the ${bodyLimit}-byte limit`, true);
        return;
      }
      chunks.push(chunk);
    });
    req.on("error", () => {
      // The client went away; nothing was stored, nothing to answer.
    });
    req.on("end", () => {
      if (tooLarge) return;
      const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      if (!looksLikeSignature(signature)) {
        reject(
          res,
          401,
          "signature_missing",
          signature === undefined
            ? "Shoptet-Webhook-Signature header is missing"
            : "Shoptet-Webhook-Signature must be 40 hex characters (HMAC-SHA1)",
        );
        return;
      }
      let parsed: unknown;
      let parseFailed = false;
      try {
        parsed = JSON.parse(raw.toString("utf8"));
      } catch {
        parseFailed = true;
      }
      const eshopId = eshopIdOf(parsed);
      const key = keyFor(eshopId);
      if (key === undefined) {
        const variable = eshopId === undefined ? "SHOPTET_WEBHOOK_KEY" : `SHOPTET_WEBHOOK_KEY_${eshopId} or SHOPTET_WEBHOOK_KEY`;
        warnOnce(`nokey:${eshopId}`, `webhook refused: no signature key configured; set ${variable}`, { eshopId });
        reject(res, 401, "no_key", `no signature key is configured for this e-shop; the operator must set ${variable}`);
        return;
      }
      if (!isValidSignature(key, raw, signature)) {
        warnOnce(
          `badsig:${eshopId}`,
          "webhook refused: signature mismatch; check the key against the one returned by POST /api/webhooks/renew-signature-key (repeats are not logged)",
          { eshopId },
        );
        reject(res, 401, "signature_mismatch", "signature does not match the body");
        return;
      }
      // JSON must be UTF-8 (RFC 8259); decoding would silently replace bad bytes, and two bodies
      // differing only there would then share a dedupe key.
      if (!isUtf8(raw)) {
        reject(res, 400, "not_utf8", "body is not valid UTF-8");
        return;
      }
      if (parseFailed) {
        reject(res, 400, "not_json", "body is not valid JSON");
        return;
      }
      const envelope = webhookEnvelope.safeParse(parsed);
      if (!envelope.success) {
        reject(res, 400, "not_envelope", `not a Shoptet webhook: ${describeEnvelopeError(envelope.error)}`);
        return;
      }
      const e = envelope.data;
      if (e.payload !== undefined && jsonNestingExceeds(raw, MAX_JSON_DEPTH)) {
        reject(res, 400, "too_deep", `body nests deeper than ${MAX_JSON_DEPTH} levels`);
        return;
      }
      // The one parse of eventCreated: it checks the date exists and goes on to the dedupe key.
      const createdMs = eventTimeMs(e.eventCreated);
      if (createdMs === null) {
        reject(res, 400, "bad_time", `eventCreated "${e.eventCreated}" is not a date that exists; send a Shoptet time like 2019-01-08T15:13:39+0100`);
        return;
      }
      const receivedAt = clock.now();
      if (isTimeUntrusted(createdMs, receivedAt)) {
        warnOnce(
          `future:${e.eshopId}`,
          "webhook dated more than an hour ahead of this clock: stored, but ordered by its receipt time (check the clocks; repeats are not logged)",
          { eshopId: e.eshopId, event: e.event, eventCreated: e.eventCreated },
        );
      }
      const known = isKnownEvent(e.event);
      ingest.submit({ raw, receivedAt, envelope: e, createdMs }, (error, result) => {
        if (error || !result) {
          metrics.storageErrors.inc();
          reject(res, 503, "storage", "the event could not be stored; retry later");
          return;
        }
        const label = known ? e.event : "unknown";
        countStored(label, result.duplicate ? "duplicate" : "stored");
        if (!known && !result.duplicate) metrics.unknownEvents.inc();
        acknowledge(res, result.id, result.duplicate);
        metrics.ingestLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
      });
    });
  };
}
