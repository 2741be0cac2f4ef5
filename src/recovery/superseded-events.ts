import { BETA_STOCK_EVENTS, isBetaStockEvent } from "../stock/observations.js";
import type { RecoveryStore } from "./recovery-store.js";

/**
 * "A recovered event must never produce a second alert for something already alerted."
 *
 * Dedupe already makes a recovered notification that also came as a webhook one event, alerted
 * once. What is left is a recovered event that is *older* than one already stored for the same
 * subject: a `stock:soldOut` of KAV-1 from 9:00 recovered at 10:00, when the webhook of KAV-1's
 * `stock:inStock` (or another soldOut) from 9:30 arrived live and was alerted. The stock state is
 * safe (the worker applies the newest beta event by eventCreated, or reads the product), but an
 * event rule fires once per event and would send the stale news again. So the event rules skip a
 * recovered stock event when a stored event of the same subject is newer — for the beta level
 * events any of the three (the newest states the level), for other stock events the same type.
 *
 * Other events (orders, customers, …) are facts of their own, each once by dedupe: a recovered
 * `order:create` was never seen, and is sent. Webhooks are not filtered: Shoptet's own retries
 * behave as they always did.
 */

/** The events whose newer occurrence makes an older recovered one stale; null: never stale. */
export function supersedingEvents(event: string): readonly string[] | null {
  if (isBetaStockEvent(event)) return BETA_STOCK_EVENTS;
  return event.startsWith("stock:") ? [event] : null;
}

interface FeedEventLike {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  eventCreatedMs: number | null;
}

/**
 * Returns a filter for the event rules' feed: drops recovered stock events that a newer stored
 * event of the same subject supersedes. Costs nothing for a batch without stock events; otherwise
 * one look-up for their source, and one for each recovered one.
 */
export function createSupersededFilter(store: Pick<RecoveryStore, "recoveredAmong" | "hasNewer">): <E extends FeedEventLike>(events: E[]) => E[] {
  return (events) => {
    const stock = events.filter((e) => e.eventCreatedMs !== null && supersedingEvents(e.event) !== null);
    if (stock.length === 0) return events;
    const recovered = store.recoveredAmong(stock.map((e) => e.id));
    if (recovered.size === 0) return events;
    const stale = new Set<number>();
    for (const e of stock) {
      if (!recovered.has(e.id)) continue;
      if (store.hasNewer({ ...e, eventCreatedMs: e.eventCreatedMs! }, supersedingEvents(e.event)!)) stale.add(e.id);
    }
    return stale.size === 0 ? events : events.filter((e) => !stale.has(e.id));
  };
}
