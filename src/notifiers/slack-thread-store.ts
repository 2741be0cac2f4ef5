import type { AlertMessage } from "../outbox/outbox-types.js";

/** One alert shown in a Slack message, with the incident it belongs to. */
export interface SlackEntry {
  incidentKey: string | null;
  body: AlertMessage;
}

/** A Slack message stockwatch posted, and what it currently shows. */
export interface SlackThread {
  messageId: number;
  channelId: string;
  ts: string;
  entries: SlackEntry[];
}

/** A message just posted to Slack. */
export interface SlackPost {
  channel: string;
  channelId: string;
  ts: string;
  entries: SlackEntry[];
  now: number;
}

/**
 * SlackThreadStore remembers which Slack message (channel id + ts) shows each incident, so a
 * resolve or level change updates that message instead of posting a new one. SQLite:
 * src/store/sqlite/slack-thread-store.ts.
 */
export interface SlackThreadStore {
  /** The message that shows the incident in this channel (as configured, `#warehouse`). */
  find(incidentKey: string, channel: string): SlackThread | undefined;
  /** A posted message and the incidents it shows, in one transaction (a repost of the same ts replaces its entries). */
  recordPost(post: SlackPost): void;
  /** What the message shows now, after a chat.update. */
  updateEntries(messageId: number, entries: SlackEntry[], now: number): void;
}
