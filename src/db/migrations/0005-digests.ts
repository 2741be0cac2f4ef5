import type { Migration } from "../migrate.js";

/**
 * Digest bookkeeping: every digest run (one row per attempt, with its period and outcome) so a
 * period is never sent twice and a restart knows what was missed, and when each digest was first
 * scheduled (slots before that are not "missed"). Plus the covering indexes the digest queries
 * need to stay fast over millions of events.
 */
export const m0005: Migration = {
  version: 5,
  name: "digests",
  sql: `
CREATE TABLE digest_runs (
  id          INTEGER PRIMARY KEY,
  digest      TEXT    NOT NULL,         -- digest name from the rules file
  slot        INTEGER,                  -- scheduled instant this run stands for (epoch ms); NULL: sent by hand
  trigger     TEXT    NOT NULL,         -- schedule | catch-up | manual
  period_from INTEGER NOT NULL,         -- epoch ms, inclusive
  period_to   INTEGER NOT NULL,         -- epoch ms, exclusive
  status      TEXT    NOT NULL,         -- queued (in the outbox) | empty (skipEmpty: nothing sent) | failed
  messages    INTEGER NOT NULL DEFAULT 0, -- outbox rows written (one per notify channel)
  subject     TEXT,
  error       TEXT,                     -- why a failed run failed (secrets removed)
  created_at  INTEGER NOT NULL,         -- when the run started building
  sent_at     INTEGER                   -- when its messages entered the outbox
);
-- A scheduled slot, and a period, are sent at most once: the run re-checks these inside the
-- transaction that writes its outbox rows, and the unique indexes back that check up.
CREATE UNIQUE INDEX digest_runs_once_per_slot ON digest_runs (digest, slot)
  WHERE slot IS NOT NULL AND status IN ('queued', 'empty');
CREATE UNIQUE INDEX digest_runs_once_per_period ON digest_runs (digest, period_from, period_to)
  WHERE status IN ('queued', 'empty');
CREATE INDEX digest_runs_by_digest ON digest_runs (digest, id);

CREATE TABLE digest_schedules (
  digest        TEXT    PRIMARY KEY,
  schedule      TEXT    NOT NULL,       -- cron expression last seen
  timezone      TEXT    NOT NULL,
  first_seen_at INTEGER NOT NULL,       -- slots before this are not caught up
  updated_at    INTEGER NOT NULL
) WITHOUT ROWID;

-- Per-type event counts over a period: one index-only range count per event type (the types are
-- found by hopping through the index), with no row lookups and no sorting of the period's events.
CREATE INDEX events_by_type_time ON events (event, received_at, eshop_id);
-- Biggest outflow over a period: covers the grouped columns so movements are never looked up.
CREATE INDEX stock_movements_outflow ON stock_movements (change_time, eshop_id, code, amount_change_milli);
`,
};
