import type { Migration } from "../migrate.js";

/**
 * Cheaper webhook commits. Every index on `events` is rewritten by every insert; two of them put
 * each new row at a random place (a hash key, an instance code), so a commit of 64 events
 * touched over a hundred index pages.
 * - The dedupe key gains an 8-byte eventCreated prefix (see dedupeKeyOf): new keys now append.
 * - The lookup by instance is only ever made for stock events (the stock worker's beta-event and
 *   first-webhook queries), so it becomes a partial index over those alone.
 * The UPDATE rewrites every existing key once (about 10 s per million events, at upgrade).
 */
export const m0007: Migration = {
  version: 7,
  name: "time-ordered dedupe keys, stock-only instance index",
  sql: `
-- (|| makes text of blobs: the CAST keeps the key a blob, comparable with the ones inserted later)
UPDATE events SET dedupe_key = CAST(unhex(printf('%016X', max(coalesce(event_created_ms, 0), 0))) || dedupe_key AS BLOB)
 WHERE length(dedupe_key) = 32;
DROP INDEX events_by_instance;
CREATE INDEX events_by_stock_instance ON events (eshop_id, event_instance, event) WHERE event GLOB 'stock:*';
`,
};
