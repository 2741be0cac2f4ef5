import type { IncomingEvent, InsertResult } from "../events/event-store.js";
import { EVENT_CATALOG } from "../events/event-catalog.js";
import { jobForEvent } from "../events/jobs-for-event.js";
import { dedupeKeyOf, orderingTimeMs, parseShoptetTime, type WebhookEnvelope } from "./webhook-envelope.js";

/** A webhook that passed every check: its exact bytes, when it arrived, and what it says. */
export interface AcceptedWebhook {
  raw: Buffer;
  receivedAt: number;
  envelope: WebhookEnvelope;
  /** eventCreated in epoch ms when the receiver already parsed it (so it is parsed once per webhook). */
  createdMs?: number | null;
}

const KNOWN_EVENTS = new Set(Object.keys(EVENT_CATALOG));

export function isKnownEvent(event: string): boolean {
  return KNOWN_EVENTS.has(event);
}

/**
 * The row to store for an accepted webhook (dedupe key, ordering time, job). The dedupe key keeps
 * Shoptet's own time (a retry must get the same key); the stored ordering time is the receipt time
 * when eventCreated is too far in the future to be trusted (see MAX_EVENT_TIME_AHEAD_MS).
 */
export function toIncomingEvent(w: AcceptedWebhook): IncomingEvent {
  const e = w.envelope;
  const createdMs = w.createdMs !== undefined ? w.createdMs : parseShoptetTime(e.eventCreated);
  return {
    eshopId: e.eshopId,
    event: e.event,
    eventInstance: e.eventInstance,
    eventCreated: e.eventCreated,
    eventCreatedMs: orderingTimeMs(createdMs, w.receivedAt),
    receivedAt: w.receivedAt,
    dedupeKey: dedupeKeyOf(e, createdMs),
    known: isKnownEvent(e.event),
    payload: e.payload === undefined ? null : JSON.stringify(e.payload),
    raw: w.raw,
    job: jobForEvent(e.event, e.eventInstance),
  };
}

/** toIncomingEvent that returns the error instead of throwing it. */
export function rowOf(accepted: AcceptedWebhook): IncomingEvent | Error {
  try {
    return toIncomingEvent(accepted);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** What writing one event of a batch came to: stored (or a duplicate), or why it could not be. */
export type WriteResult = InsertResult | { error: string };

/**
 * Stores the rows of a batch in one transaction, skipping the ones that failed to unpack; the
 * results line up with `rows`.
 */
export function storeRows(insert: (events: IncomingEvent[]) => InsertResult[], rows: readonly (IncomingEvent | Error)[]): WriteResult[] {
  const good = rows.filter((r): r is IncomingEvent => !(r instanceof Error));
  const stored = good.length ? insert(good) : [];
  let next = 0;
  return rows.map((r) => (r instanceof Error ? { error: `the event could not be prepared for storage: ${r.message}` } : stored[next++]!));
}
