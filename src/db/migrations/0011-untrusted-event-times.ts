import type { Migration } from "../migrate.js";

/**
 * Events stored before the receiver checked eventCreated (issue 14): one dated more than an hour
 * after it was received (MAX_EVENT_TIME_AHEAD_MS; year 9999, or forged) is ordered by the second it
 * arrived, as the receiver now stores it, so it no longer outranks the real beta stock events that
 * came after it. `event_created` keeps the text Shoptet sent, and the dedupe key keeps its time, so
 * a retry is still a duplicate.
 *
 * A product whose level was set from such an event (no-token mode) kept that time as the bar every
 * later beta event had to pass, so it stayed frozen; the bar comes down to when that level was
 * written. Both updates scan their table once (no index on these columns; one is not worth its cost
 * on every webhook insert): about a second per few million events, at the first start only.
 */
export const m0011: Migration = {
  version: 11,
  name: "untrusted event times",
  sql: `
UPDATE events SET event_created_ms = received_at - (received_at % 1000)
 WHERE event_created_ms > received_at + 3600000;

UPDATE stock_products SET level_event_ms = updated_at - (updated_at % 1000)
 WHERE level_event_ms > updated_at + 3600000;
`,
};
