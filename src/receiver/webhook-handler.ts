import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "../metrics/metrics.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import type { IngestQueue } from "./ingest-queue.js";
import type { IpCheck } from "./ip-allowlist.js";
import {
  bodyTooLarge,
  checkWebhook,
  checkWebhookHeaders,
  type WebhookAccepted,
  type WebhookRejection,
  type WebhookWarning,
} from "./check-webhook.js";

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

/** Collects a body up to `limit` bytes; past it, drops what was read and calls `tooLarge` once (no `end`). */
function readBody(req: IncomingMessage, limit: number, on: { tooLarge: () => void; end: (raw: Buffer) => void }): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on("data", (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > limit) {
      tooLarge = true;
      chunks.length = 0;
      on.tooLarge();
      return;
    }
    chunks.push(chunk);
  });
  req.on("error", () => {
    // The client went away; nothing was stored, nothing to answer.
  });
  req.on("end", () => {
    if (tooLarge) return;
    on.end(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
  });
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

  function refuse(res: ServerResponse, r: WebhookRejection): void {
    if (r.warning) warnOnce(r.warning);
    metrics.webhookRejections.inc({ reason: r.reason });
    answer(res, r.status, { error: r.message }, r.close);
  }

  function warnOnce({ key, message, fields }: WebhookWarning): void {
    if (warned.has(key)) return;
    warned.add(key);
    logger.warn(fields, message);
  }

  /** Stores an accepted webhook (group commit) and answers 200 once it is committed, 503 if it cannot be. */
  function store(res: ServerResponse, raw: Buffer, receivedAt: number, check: WebhookAccepted, started: bigint): void {
    if (check.warning) warnOnce(check.warning);
    const { envelope: e, createdMs, known } = check;
    ingest.submit({ raw, receivedAt, envelope: e, createdMs }, (error, result) => {
      if (error || !result) {
        metrics.storageErrors.inc();
        refuse(res, { ok: false, status: 503, reason: "storage", message: "the event could not be stored; retry later" });
        return;
      }
      countStored(known ? e.event : "unknown", result.duplicate ? "duplicate" : "stored");
      if (!known && !result.duplicate) metrics.unknownEvents.inc();
      acknowledge(res, result.id, result.duplicate);
      metrics.ingestLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
  }

  return function handleWebhook(req: IncomingMessage, res: ServerResponse): void {
    const started = process.hrtime.bigint();
    if (deps.ipAllowed && !deps.ipAllowed(deps.clientAddress(req))) {
      req.resume();
      refuse(res, { ok: false, status: 403, reason: "ip", message: "sender address is not in SHOPTET_IP_ALLOWLIST" });
      return;
    }
    const early = checkWebhookHeaders(req.headers, bodyLimit);
    if (early) {
      refuse(res, early);
      if (early.reason === "encoding") req.resume();
      return;
    }
    readBody(req, bodyLimit, {
      tooLarge: () => refuse(res, bodyTooLarge(bodyLimit)),
      end: (raw) => {
        const receivedAt = clock.now();
        const check = checkWebhook(req.headers, raw, { keyFor, bodyLimit, receivedAt });
        if (check.ok) store(res, raw, receivedAt, check, started);
        else refuse(res, check);
      },
    });
  };
}
