import { hash } from "node:crypto";
import { z } from "zod";

/**
 * The body Shoptet POSTs for every event: thin, no id of its own. `payload` appears only for
 * webhooks registered with sendPayload "full" (currently no event supports it); kept if present.
 */
export const webhookEnvelope = z.object({
  eshopId: z.number().int().positive(),
  event: z.string().regex(/^[A-Za-z][A-Za-z0-9]*:[A-Za-z][A-Za-z0-9]*$/, "event must look like entity:action"),
  eventCreated: z.string().min(1).max(64),
  eventInstance: z.union([z.string().max(65_536), z.number().transform(String)]),
  payload: z.record(z.string(), z.unknown()).optional(),
});

export type WebhookEnvelope = z.infer<typeof webhookEnvelope>;

/** The e-shop id of a parsed body, when it has one, to choose the signature key. */
export function eshopIdOf(body: unknown): number | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const id = (body as { eshopId?: unknown }).eshopId;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** Explains why a body is not an envelope, in one line for the 400 answer and the log. */
export function describeEnvelopeError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`)
    .join("; ");
}

/**
 * Shoptet datetimes carry an offset without a colon (`2019-01-08T15:13:39+0100`); V8 parses it.
 * Returns epoch ms, or null for text that is not a date.
 */
export function parseShoptetTime(text: string): number | null {
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The identity of a notification. Shoptet sends no event id, and a retry repeats the four envelope
 * fields exactly, so they identify it. Two deliveries identical in all four are one fact: for
 * `stock:movement` the worker reads every movement after its cursor anyway, so folding them loses
 * nothing, while a new movement in the same warehouse a second later gets a new key.
 *
 * The key starts with eventCreated as 8 big-endian bytes (0 when unparseable) before the SHA-256
 * of the four fields: live notifications then land at the end of the unique index instead of at
 * random places in it, so a commit rewrites a few index pages rather than one per event.
 * (Migration 0007 gave older rows the same prefix.)
 */
export function dedupeKeyOf(
  e: Pick<WebhookEnvelope, "eshopId" | "event" | "eventInstance" | "eventCreated">,
  createdMs: number | null = parseShoptetTime(e.eventCreated),
): Buffer {
  const key = Buffer.allocUnsafe(DEDUPE_KEY_BYTES);
  key.writeBigInt64BE(BigInt(Math.max(0, createdMs ?? 0)), 0);
  hash("sha256", `${e.eshopId}\u0000${e.event}\u0000${e.eventInstance}\u0000${e.eventCreated}`, "buffer").copy(key, 8);
  return key;
}

/** 8 bytes of time, 32 of hash. */
export const DEDUPE_KEY_BYTES = 40;
