import { hash } from "node:crypto";
import { z } from "zod";

/**
 * Shoptet's datetime, `YYYY-MM-DDTHH:MM:SS+HHMM` (`2019-01-08T15:13:39+0100`); a `Z` or `+01:00`
 * offset is accepted too (harmless, and what ISO tools write). The ranges keep V8's lenient parser
 * from reading `T24:00` or month 13 its own way; eventTimeMs checks the day against the month.
 */
export const SHOPTET_TIME =
  /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;

/**
 * The body Shoptet POSTs for every event: thin, no id of its own. `payload` appears only for
 * webhooks registered with sendPayload "full" (currently no event supports it); kept if present.
 */
export const webhookEnvelope = z.object({
  eshopId: z.number().int().positive(),
  event: z.string().regex(/^[A-Za-z][A-Za-z0-9]*:[A-Za-z][A-Za-z0-9]*$/, "event must look like entity:action"),
  eventCreated: z.string().max(64).regex(SHOPTET_TIME, "must be a Shoptet time like 2019-01-08T15:13:39+0100 (YYYY-MM-DDTHH:MM:SS+HHMM)"),
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
 * Epoch ms of an eventCreated that matched SHOPTET_TIME, or null when the date does not exist
 * (`2026-02-30`: V8 would roll it over to 2 March). The day check runs only for days 29-31.
 */
export function eventTimeMs(text: string): number | null {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return null;
  const day = (text.charCodeAt(8) - 48) * 10 + (text.charCodeAt(9) - 48);
  if (day > 28) {
    const year = Number(text.slice(0, 4));
    const month = (text.charCodeAt(5) - 48) * 10 + (text.charCodeAt(6) - 48);
    if (day > daysInMonth(year, month)) return null;
  }
  return ms;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * How far ahead of the receiving clock an eventCreated may be and still be trusted to order events.
 * Shoptet stamps an event when it happens, so a real one is behind the receipt, or ahead by no more
 * than clock skew; an hour also covers an offset written wrong around a DST change. An event dated
 * later (9999, or a forged body signed with a leaked key) is stored and acknowledged, so Shoptet does
 * not retry it for ever, but ordered by its receipt time: otherwise a `stock:soldOut` dated 9999
 * would stay the newest beta event of its product and freeze its level.
 */
export const MAX_EVENT_TIME_AHEAD_MS = 60 * 60 * 1000;

/** True when an eventCreated (ms) is too far ahead of the receipt to be trusted (see MAX_EVENT_TIME_AHEAD_MS). */
export function isTimeUntrusted(createdMs: number | null, receivedAt: number): boolean {
  return createdMs !== null && createdMs - receivedAt > MAX_EVENT_TIME_AHEAD_MS;
}

/**
 * The time an event is ordered by (events.event_created_ms): Shoptet's eventCreated, or, when that
 * is untrusted, the receipt time cut to the whole second like Shoptet's own times, so that a real
 * event created in the same second is not ranked below it (ties go to the one stored later). The
 * text as Shoptet sent it stays in events.event_created.
 */
export function orderingTimeMs(createdMs: number | null, receivedAt: number): number | null {
  return isTimeUntrusted(createdMs, receivedAt) ? receivedAt - (receivedAt % 1000) : createdMs;
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
