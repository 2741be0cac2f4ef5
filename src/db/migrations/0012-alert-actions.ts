import type { Migration } from "../migrate.js";

/**
 * Acting on alerts from Slack (issue 15): who acknowledged an open alert and when, until when it
 * is snoozed (no reminders before), and every action with who and when. A replayed Slack request
 * (the same click of the same user on the same message, `action_key`) is recorded once.
 */
export const m0012: Migration = {
  version: 12,
  name: "alert actions",
  sql: `
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT;      -- Slack user name; NULL: not acknowledged
ALTER TABLE alerts ADD COLUMN acknowledged_by_id TEXT;   -- Slack user id (U123): messages mention it, Slack shows the name
ALTER TABLE alerts ADD COLUMN acknowledged_at INTEGER;   -- epoch ms
ALTER TABLE alerts ADD COLUMN snoozed_until   INTEGER;   -- epoch ms; no reminders before

CREATE TABLE alert_actions (
  id         INTEGER PRIMARY KEY,
  alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE, -- pruned with its alert
  action     TEXT    NOT NULL,   -- ack | snooze | unack
  user_id    TEXT    NOT NULL,   -- Slack user id, e.g. U123
  user_name  TEXT    NOT NULL,
  value      TEXT,               -- the button's value (snooze: 4h, 1d)
  at         INTEGER NOT NULL,   -- epoch ms
  action_key TEXT    NOT NULL,   -- channel id, message ts, user and Slack's action_ts of the click
  UNIQUE (alert_id, action_key)
);
`,
};
