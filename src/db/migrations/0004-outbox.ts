import type { Migration } from "../migrate.js";

/**
 * The outbox (one row per message and destination, with its delivery state) and the Slack
 * messages posted for alert incidents, so a resolve can update the message it belongs to.
 */
export const m0004: Migration = {
  version: 4,
  name: "outbox",
  sql: `
CREATE TABLE outbox (
  id              INTEGER PRIMARY KEY,
  dedupe_key      TEXT    NOT NULL UNIQUE,
  channel         TEXT    NOT NULL,            -- channel name from the rules file
  transport       TEXT    NOT NULL,            -- slack | email
  destination     TEXT    NOT NULL,            -- Destination as JSON
  lane            TEXT    NOT NULL,            -- deliveries in one lane go one at a time (paced per Slack channel)
  kind            TEXT    NOT NULL,            -- alert | digest
  body            TEXT    NOT NULL,            -- MessageBody as JSON
  summary         TEXT    NOT NULL,
  group_key       TEXT,
  incident_key    TEXT,
  status          TEXT    NOT NULL DEFAULT 'pending', -- pending | sending | sent | retrying | dead | unconfigured
  attempts        INTEGER NOT NULL DEFAULT 0,
  max_attempts    INTEGER NOT NULL,
  not_before      INTEGER NOT NULL,            -- epoch ms
  next_attempt_at INTEGER NOT NULL,            -- epoch ms
  locked_until    INTEGER,                     -- lease end while sending
  group_leader    INTEGER,                     -- while sending merged: the row whose send carries this one
  last_error      TEXT,                        -- secrets removed
  ref             TEXT,                        -- Slack "channel ts" or the email Message-ID of the send
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
-- Waiting rows by lane: the worker hops from lane to lane through it (cost grows with lanes, not backlog).
CREATE INDEX outbox_waiting_lane ON outbox (lane, next_attempt_at, id) WHERE status IN ('pending', 'retrying');
CREATE INDEX outbox_group ON outbox (group_key, status) WHERE group_key IS NOT NULL;
CREATE INDEX outbox_leader ON outbox (group_leader) WHERE group_leader IS NOT NULL;

CREATE TABLE slack_messages (
  id          INTEGER PRIMARY KEY,
  channel     TEXT    NOT NULL,                -- as configured, e.g. #warehouse
  channel_id  TEXT    NOT NULL,                -- as Slack answered, e.g. C0123; chat.update needs it
  ts          TEXT    NOT NULL,
  entries     TEXT    NOT NULL,                -- JSON: the alerts the message shows, kept current for re-rendering
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  UNIQUE (channel_id, ts)
);
CREATE TABLE slack_incidents (
  incident_key     TEXT    NOT NULL,
  channel          TEXT    NOT NULL,
  slack_message_id INTEGER NOT NULL REFERENCES slack_messages (id),
  PRIMARY KEY (incident_key, channel)
);
`,
};
