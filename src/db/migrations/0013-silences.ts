import type { Migration } from "../migrate.js";

/**
 * One-off silences (`stockwatch silence add`, the dashboard): alerts whose rule, e-shop and
 * product match an active silence are recorded as usual but their messages are not sent. An alert
 * whose open message was held back keeps `silence_pending = 1`; when no silence covers it any more
 * and it still holds, the engine sends that open message once and clears the mark. A resolved
 * alert that still carries the mark was never announced, so its resolve was not sent either.
 */
export const m0013: Migration = {
  version: 13,
  name: "silences",
  sql: `
CREATE TABLE silences (
  id          INTEGER PRIMARY KEY,
  products    TEXT    NOT NULL,   -- JSON array of globs, as for a rule's products
  rule        TEXT,               -- only this rule's alerts; NULL: every rule
  eshop_id    INTEGER,            -- only this e-shop; NULL: every e-shop
  reason      TEXT    NOT NULL,
  created_by  TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,   -- epoch ms
  ends_at     INTEGER NOT NULL,
  expired_at  INTEGER             -- set by "silence expire" (ended before ends_at)
);
-- The engine reads the silences not yet expired by hand and not yet over.
CREATE INDEX silences_active ON silences (ends_at) WHERE expired_at IS NULL;

ALTER TABLE alerts ADD COLUMN silenced_by INTEGER;                      -- the silence that held a message back
ALTER TABLE alerts ADD COLUMN silence_pending INTEGER NOT NULL DEFAULT 0; -- 1: its open message is still owed
CREATE INDEX alerts_silence_pending ON alerts (id) WHERE state = 'open' AND silence_pending = 1;
`,
};
