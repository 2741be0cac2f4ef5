import type { Migration } from "../migrate.js";

/** Every received webhook, and the job rows the stock worker consumes. */
export const m0001: Migration = {
  version: 1,
  name: "events and jobs",
  sql: `
CREATE TABLE events (
  id               INTEGER PRIMARY KEY,
  eshop_id         INTEGER NOT NULL,
  event            TEXT    NOT NULL,
  event_instance   TEXT    NOT NULL,
  event_created    TEXT    NOT NULL,   -- as Shoptet sent it (offset without colon)
  event_created_ms INTEGER,            -- parsed, NULL when unparseable
  received_at      INTEGER NOT NULL,   -- epoch ms
  dedupe_key       BLOB    NOT NULL UNIQUE,
  known            INTEGER NOT NULL,   -- 1 when the type is in the catalog
  payload          TEXT,               -- the optional payload object, as JSON
  raw              BLOB    NOT NULL    -- the exact bytes that were signed
);
CREATE INDEX events_by_type ON events (event, id);
CREATE INDEX events_by_eshop ON events (eshop_id, id);
CREATE INDEX events_by_received ON events (received_at);

CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  kind         TEXT    NOT NULL,      -- what the worker does: see src/jobs/job-kinds.ts
  eshop_id     INTEGER NOT NULL,
  subject      TEXT    NOT NULL,      -- warehouse id or product code
  event_id     INTEGER REFERENCES events (id),
  status       TEXT    NOT NULL DEFAULT 'pending', -- pending | running | done | dead
  attempts     INTEGER NOT NULL DEFAULT 0,
  coalesced    INTEGER NOT NULL DEFAULT 1,         -- webhooks folded into this job
  run_at       INTEGER NOT NULL,
  locked_until INTEGER,
  last_error   TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
-- At most one pending job per subject: webhooks that arrive while one waits fold into it.
CREATE UNIQUE INDEX jobs_one_pending ON jobs (kind, eshop_id, subject) WHERE status = 'pending';
CREATE INDEX jobs_due ON jobs (status, run_at);

-- Named positions of loops that read the events table in order (e.g. the event-rules feed).
CREATE TABLE cursors (
  name     TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);

-- Written by health checks: proves the database accepts writes.
CREATE TABLE heartbeat (
  name TEXT PRIMARY KEY,
  at   INTEGER NOT NULL
);
`,
};
