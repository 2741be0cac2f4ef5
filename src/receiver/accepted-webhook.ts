import type { IncomingEvent, InsertResult } from "../events/event-repo.js";
import { EVENT_CATALOG } from "../events/event-catalog.js";
import { jobForEvent } from "../events/jobs-for-event.js";
import { dedupeKeyOf, parseShoptetTime, webhookEnvelope, type WebhookEnvelope } from "./webhook-envelope.js";

/** A webhook that passed every check: its exact bytes, when it arrived, and what it says. */
export interface AcceptedWebhook {
  raw: Buffer;
  receivedAt: number;
  envelope: WebhookEnvelope;
}

export function isKnownEvent(event: string): boolean {
  return Object.hasOwn(EVENT_CATALOG, event);
}

/** The row to store for an accepted webhook (dedupe key, parsed time, job). */
export function toIncomingEvent(w: AcceptedWebhook): IncomingEvent {
  const e = w.envelope;
  return {
    eshopId: e.eshopId,
    event: e.event,
    eventInstance: e.eventInstance,
    eventCreated: e.eventCreated,
    eventCreatedMs: parseShoptetTime(e.eventCreated),
    receivedAt: w.receivedAt,
    dedupeKey: dedupeKeyOf(e),
    known: isKnownEvent(e.event),
    payload: e.payload === undefined ? null : JSON.stringify(e.payload),
    raw: w.raw,
    job: jobForEvent(e.event, e.eventInstance),
  };
}

/**
 * Packs a batch into transferable buffers (one for all bodies, one for offsets and times), so
 * handing it to the engine thread copies nothing per event.
 */
export interface PackedBatch {
  bodies: ArrayBuffer;
  offsets: Uint32Array<ArrayBuffer>;
  receivedAt: Float64Array<ArrayBuffer>;
}

export function packBatch(batch: readonly AcceptedWebhook[]): PackedBatch {
  let total = 0;
  for (const w of batch) total += w.raw.length;
  const bodies = new ArrayBuffer(total);
  const view = new Uint8Array(bodies);
  const offsets = new Uint32Array(batch.length + 1);
  const receivedAt = new Float64Array(batch.length);
  let at = 0;
  batch.forEach((w, i) => {
    offsets[i] = at;
    view.set(w.raw, at);
    at += w.raw.length;
    receivedAt[i] = w.receivedAt;
  });
  offsets[batch.length] = at;
  return { bodies, offsets, receivedAt };
}

/**
 * The engine thread's side of packBatch. Bodies were validated before packing; should one still
 * fail to turn into a row, it comes back as an Error in its place, so it cannot take the rest of
 * its batch down with it.
 */
export function unpackBatch(packed: PackedBatch): (IncomingEvent | Error)[] {
  const out: (IncomingEvent | Error)[] = [];
  for (let i = 0; i < packed.receivedAt.length; i++) {
    const raw = Buffer.from(packed.bodies, packed.offsets[i]!, packed.offsets[i + 1]! - packed.offsets[i]!);
    out.push(rowOf(() => ({ raw, receivedAt: packed.receivedAt[i]!, envelope: webhookEnvelope.parse(JSON.parse(raw.toString("utf8"))) })));
  }
  return out;
}

/** toIncomingEvent that returns the error instead of throwing it. */
export function rowOf(accepted: () => AcceptedWebhook): IncomingEvent | Error {
  try {
    return toIncomingEvent(accepted());
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
