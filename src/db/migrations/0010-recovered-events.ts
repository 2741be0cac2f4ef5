import type { Migration } from "../migrate.js";

/**
 * Recovery of webhooks Shoptet gave up on (issue 14): where each event came from, how far each
 * e-shop's notification log has been read, and how many events recovery stored by type.
 * - `events.source`: 'webhook' (delivered to the receiver) or 'recovered' (read back from
 *   `GET /api/webhooks/notifications`). A column with a constant DEFAULT is added without
 *   rewriting the table, and the receiver's INSERT does not name it: the hot path is unchanged.
 *   No index: only recovery writes 'recovered', and nothing searches by it.
 * - `recovery_cursors`: per e-shop, the notification `created` time the next read starts from.
 * - `recovered_event_counts`: the counter behind `stockwatch_recovered_events_total`, bumped in
 *   the transaction that stores the events (counting events by source at scrape time would scan
 *   the whole table; this survives restarts, other processes and `prune`).
 */
export const m0010: Migration = {
  version: 10,
  name: "events.source, recovery cursors",
  sql: `
ALTER TABLE events ADD COLUMN source TEXT NOT NULL DEFAULT 'webhook';

CREATE TABLE recovery_cursors (
  eshop_id   INTEGER PRIMARY KEY,
  from_ms    INTEGER NOT NULL,   -- next read asks for notifications created from here (epoch ms)
  last_run   INTEGER NOT NULL,   -- when a pass last finished (epoch ms)
  recovered  INTEGER NOT NULL DEFAULT 0  -- events stored by recovery for this e-shop, ever
);

CREATE TABLE recovered_event_counts (
  event TEXT PRIMARY KEY,
  n     INTEGER NOT NULL
);
`,
};
