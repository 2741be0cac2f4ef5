import type { Db } from "../db/open-database.js";
import { BETA_STOCK_EVENTS, isBetaStockEvent } from "../stock/observations.js";

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
 * one primary-key look-up for their source, and an index seek (events_by_stock_instance) for each
 * recovered one.
 */
export function createSupersededFilter(db: Db): <E extends FeedEventLike>(events: E[]) => E[] {
  const recoveredAmong = (ids: number[]) =>
    new Set(
      (db.prepare(`SELECT id FROM events WHERE id IN (${ids.map(() => "?").join(",")}) AND source = 'recovered'`).all(...ids) as { id: number }[]).map(
        (r) => r.id,
      ),
    );
  const newer = new Map<number, { get(...params: unknown[]): unknown }>();
  const newerStatement = (types: number) => {
    let s = newer.get(types);
    if (!s) {
      // `event GLOB 'stock:*'` lets SQLite use the partial index over stock events.
      s = db.prepare(
        `SELECT 1 FROM events
          WHERE eshop_id = ? AND event_instance = ? AND event IN (${Array(types).fill("?").join(",")}) AND event GLOB 'stock:*'
            AND id <> ? AND (event_created_ms > ? OR (event_created_ms = ? AND id < ?))
          LIMIT 1`,
      );
      newer.set(types, s);
    }
    return s;
  };
  return (events) => {
    const stock = events.filter((e) => e.eventCreatedMs !== null && supersedingEvents(e.event) !== null);
    if (stock.length === 0) return events;
    const recovered = recoveredAmong(stock.map((e) => e.id));
    if (recovered.size === 0) return events;
    const stale = new Set<number>();
    for (const e of stock) {
      if (!recovered.has(e.id)) continue;
      const types = supersedingEvents(e.event)!;
      const hit = newerStatement(types.length).get(e.eshopId, e.eventInstance, ...types, e.id, e.eventCreatedMs, e.eventCreatedMs, e.id);
      if (hit !== undefined) stale.add(e.id);
    }
    return stale.size === 0 ? events : events.filter((e) => !stale.has(e.id));
  };
}
