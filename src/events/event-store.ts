import type { JobSpec } from "./jobs-for-event.js";

/** A verified, parsed webhook ready to be stored. */
export interface IncomingEvent {
  eshopId: number;
  event: string;
  eventInstance: string;
  eventCreated: string;
  eventCreatedMs: number | null;
  receivedAt: number;
  dedupeKey: Buffer;
  known: boolean;
  payload: string | null;
  raw: Buffer;
  job: JobSpec | null;
  /** 'recovered' when read back from Shoptet's notification log; absent: a webhook. */
  source?: EventSource;
}

/** Where a stored event came from (events.source). */
export type EventSource = "webhook" | "recovered";

export interface StoredEvent {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  eventCreated: string;
  receivedAt: string;
  known: boolean;
  payload: unknown;
  source: EventSource;
}

export interface InsertResult {
  id: number;
  duplicate: boolean;
}

export interface EventQuery {
  event?: string | undefined;
  eshopId?: number | undefined;
  before?: number | undefined;
  limit: number;
}

/**
 * EventStore stores webhooks and the jobs they ask for (implementation: src/store/sqlite/event-store.ts).
 * `insertBatch` writes many events in ONE transaction (group commit): the caller acknowledges each
 * request only after it returns.
 */
export interface EventStore {
  /**
   * Stores events and their jobs atomically; returns one result per event, in order. An event whose
   * dedupe key is stored already is a duplicate (the stored id); its job is asked for again all
   * the same (folded into a pending one of the same subject, if any).
   */
  insertBatch(events: readonly IncomingEvent[]): InsertResult[];
  /** Newest first; `before` pages back from an id; `event` and `eshopId` filter. */
  list(query: EventQuery): StoredEvent[];
  /** How many events are stored. */
  count(): number;
}
