import type { StoredEvent } from "../events/event-store.js";
import { isTimeUntrusted, parseShoptetTime } from "../receiver/webhook-envelope.js";

/**
 * An event as /api/events shows it: with `timeUntrusted: true` when its eventCreated was too far
 * ahead of its receipt to be trusted, so it is ordered by the receipt time (see
 * MAX_EVENT_TIME_AHEAD_MS). Derived from the two stored times by the rule the receiver applied, so
 * it needs no column; other events are passed on as they are.
 */
export function withTimeFlag(e: StoredEvent): StoredEvent | (StoredEvent & { timeUntrusted: true }) {
  return isTimeUntrusted(parseShoptetTime(e.eventCreated), Date.parse(e.receivedAt)) ? { ...e, timeUntrusted: true } : e;
}
