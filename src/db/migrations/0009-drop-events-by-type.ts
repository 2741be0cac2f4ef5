import type { Migration } from "../migrate.js";

/**
 * Cheaper webhook commits, again. An index that starts with the event type has an insertion
 * point per type, so `events_by_type` (event, id) alone rewrote about 12 pages of every commit of
 * 30 webhooks (of 51 in all). `events_by_type_time` (event, received_at, eshop_id) also starts
 * with the type and serves what `events_by_type` did: the digest's list of types and counts, and
 * the API's filter by type (SqliteEventStore.list reads recent ids by primary key first and asks this
 * index only for what is older).
 */
export const m0009: Migration = {
  version: 9,
  name: "drop events_by_type",
  sql: `DROP INDEX IF EXISTS events_by_type;`,
};
