import type { Migration } from "../migrate.js";

/**
 * Alerts decided by the rules engine, event-rule cooldowns, and which rule versions have been
 * applied (so a new or edited rule is evaluated against current stock once, and only once).
 */
export const m0003: Migration = {
  version: 3,
  name: "alerts",
  sql: `
CREATE TABLE alerts (
  id               INTEGER PRIMARY KEY,
  rule             TEXT    NOT NULL,
  rule_checksum    TEXT    NOT NULL,   -- of the rule's condition when the alert opened
  kind             TEXT    NOT NULL,   -- stock | event
  eshop_id         INTEGER NOT NULL,
  subject          TEXT    NOT NULL,   -- product code (stock rules) or event instance (event rules)
  severity         TEXT    NOT NULL,   -- info | warning | critical
  state            TEXT    NOT NULL,   -- open | resolved
  opened_at        INTEGER NOT NULL,   -- epoch ms
  resolved_at      INTEGER,
  resolved_reason  TEXT,               -- condition | rule-changed | rule-removed | event
  last_notified_at INTEGER,            -- last open/remind decision; reminders count from here
  reminders        INTEGER NOT NULL DEFAULT 0,
  suppressed       INTEGER NOT NULL DEFAULT 0, -- 1 while a sold-out alert speaks for the product
  last_values      TEXT    NOT NULL,   -- JSON: quantity, level, minStockSupply, name, … or the event
  event_id         INTEGER,            -- event rules: the event that fired
  updated_at       INTEGER NOT NULL
);
-- One open alert per rule and subject; the engine relies on it.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, eshop_id, subject) WHERE state = 'open';
CREATE INDEX alerts_open_by_subject ON alerts (eshop_id, subject) WHERE state = 'open';
-- An event fires a rule once, even when the feed re-delivers it.
CREATE UNIQUE INDEX alerts_event_once ON alerts (rule, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX alerts_by_state ON alerts (state, id);
CREATE INDEX alerts_by_opened ON alerts (opened_at);
CREATE INDEX alerts_by_resolved ON alerts (resolved_at) WHERE resolved_at IS NOT NULL;

-- Event-rule cooldowns: when a rule last fired for a subject.
CREATE TABLE alert_cooldowns (
  rule          TEXT    NOT NULL,
  eshop_id      INTEGER NOT NULL,
  subject       TEXT    NOT NULL,
  rule_checksum TEXT    NOT NULL,
  last_fired_at INTEGER NOT NULL,
  held          INTEGER NOT NULL DEFAULT 0,  -- matching events silenced since then
  PRIMARY KEY (rule, eshop_id, subject)
) WITHOUT ROWID;

-- The rule versions the engine has applied; compared with the file on start and on reload.
CREATE TABLE rule_versions (
  rule       TEXT    PRIMARY KEY,
  checksum   TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
};
