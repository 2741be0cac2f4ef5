import type { Db } from "../../db/open-database.js";
import type { SlackEntry, SlackPost, SlackThread, SlackThreadStore } from "../../notifiers/slack-thread-store.js";

/** SlackThreadStore on the slack_messages / slack_incidents tables. */
export class SqliteSlackThreadStore implements SlackThreadStore {
  private readonly findStmt;
  private readonly insertMessage;
  private readonly mapIncident;
  private readonly updateStmt;
  private readonly record;

  constructor(db: Db) {
    this.findStmt = db.prepare<[string, string], { id: number; channel_id: string; ts: string; entries: string }>(
      `SELECT m.id, m.channel_id, m.ts, m.entries FROM slack_incidents i
       JOIN slack_messages m ON m.id = i.slack_message_id
       WHERE i.incident_key = ? AND i.channel = ?`,
    );
    this.insertMessage = db.prepare<[string, string, string, string, number, number], { id: number }>(
      `INSERT INTO slack_messages (channel, channel_id, ts, entries, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (channel_id, ts) DO UPDATE SET entries = excluded.entries, updated_at = excluded.updated_at
       RETURNING id`,
    );
    this.mapIncident = db.prepare<[string, string, number]>(
      `INSERT INTO slack_incidents (incident_key, channel, slack_message_id) VALUES (?, ?, ?)
       ON CONFLICT (incident_key, channel) DO UPDATE SET slack_message_id = excluded.slack_message_id`,
    );
    this.updateStmt = db.prepare<[string, number, number]>("UPDATE slack_messages SET entries = ?, updated_at = ? WHERE id = ?");
    this.record = db.transaction((post: SlackPost) => {
        const row = this.insertMessage.get(post.channel, post.channelId, post.ts, JSON.stringify(post.entries), post.now, post.now);
        if (!row) return;
        for (const e of post.entries) {
          if (e.incidentKey) this.mapIncident.run(e.incidentKey, post.channel, row.id);
        }
      },
    );
  }

  find(incidentKey: string, channel: string): SlackThread | undefined {
    const row = this.findStmt.get(incidentKey, channel);
    if (!row) return undefined;
    return { messageId: row.id, channelId: row.channel_id, ts: row.ts, entries: JSON.parse(row.entries) as SlackEntry[] };
  }

  recordPost(post: SlackPost): void {
    this.record(post);
  }

  updateEntries(messageId: number, entries: SlackEntry[], now: number): void {
    this.updateStmt.run(JSON.stringify(entries), now, messageId);
  }
}
