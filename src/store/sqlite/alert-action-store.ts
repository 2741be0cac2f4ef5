import type { Db } from "../../db/open-database.js";
import type { SlackEntry } from "../../notifiers/slack-thread-store.js";
import type { ActionableAlert, AlertActionStore, AlertActionView, NewAlertAction, PostedMessage } from "../../slack/alert-action-store.js";

/** AlertActionStore on SQLite: slack_messages, slack_incidents, the alerts' action columns, alert_actions, and the outbox's dedupe keys. */
export class SqliteAlertActionStore implements AlertActionStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      message: db.prepare<[string, string], { id: number; channel: string; entries: string }>(
        "SELECT id, channel, entries FROM slack_messages WHERE channel_id = ? AND ts = ?",
      ),
      messageIdsOf: db.prepare<[string], number>("SELECT slack_message_id FROM slack_incidents WHERE incident_key = ? ORDER BY slack_message_id").pluck(),
      messageById: db.prepare<[number], { id: number; channel: string; entries: string }>("SELECT id, channel, entries FROM slack_messages WHERE id = ?"),
      alerts: db.prepare<[string], { id: number; state: "open" | "resolved"; acknowledged_by: string | null; acknowledged_at: number | null; snoozed_until: number | null }>(
        `SELECT id, state, coalesce(acknowledged_by_id, acknowledged_by) AS acknowledged_by, acknowledged_at, snoozed_until FROM alerts
         WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id`,
      ),
      record: db.prepare<[number, string, string, string, string | null, number, string], { id: number }>(
        `INSERT INTO alert_actions (alert_id, action, user_id, user_name, value, at, action_key) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (alert_id, action_key) DO NOTHING
         RETURNING id`,
      ),
      ack: db.prepare<[string, string, number, number, number]>(
        "UPDATE alerts SET acknowledged_by = ?, acknowledged_by_id = ?, acknowledged_at = ?, updated_at = ? WHERE id = ? AND state = 'open'",
      ),
      snooze: db.prepare<[number, number, number]>("UPDATE alerts SET snoozed_until = ?, updated_at = ? WHERE id = ? AND state = 'open'"),
      clear: db.prepare<[number, number]>(
        `UPDATE alerts SET acknowledged_by = NULL, acknowledged_by_id = NULL, acknowledged_at = NULL, snoozed_until = NULL, updated_at = ?
         WHERE id = ? AND state = 'open'`,
      ),
      // The rules channel name of the incident's Slack deliveries, through the dedupe key's index
      // (`alert:<id>:<step>:<channel name>`); rows may have been pruned, then the caller falls back.
      channelName: db.prepare<[string, string, string], { channel: string }>(
        `SELECT channel FROM outbox WHERE dedupe_key > ? AND dedupe_key < ? AND transport = 'slack' AND json_extract(destination, '$.channel') = ?
         ORDER BY id DESC LIMIT 1`,
      ),
      actions: db.prepare<[string], { alert_id: number; action: AlertActionView["action"]; user_id: string; user_name: string; value: string | null; at: number }>(
        `SELECT alert_id, action, user_id, user_name, value, at FROM alert_actions
         WHERE alert_id IN (SELECT value FROM json_each(?)) ORDER BY alert_id, id`,
      ),
    };
  }

  message(channelId: string, ts: string): PostedMessage | undefined {
    const row = this.s.message.get(channelId, ts);
    return row ? { id: row.id, channel: row.channel, entries: JSON.parse(row.entries) as SlackEntry[] } : undefined;
  }

  messagesOf(incidentKey: string, seen: Map<number, PostedMessage>): PostedMessage[] {
    const out: PostedMessage[] = [];
    for (const id of this.s.messageIdsOf.all(incidentKey)) {
      let message = seen.get(id);
      if (!message) {
        const row = this.s.messageById.get(id);
        if (!row) continue;
        message = { id: row.id, channel: row.channel, entries: JSON.parse(row.entries) as SlackEntry[] };
        seen.set(id, message);
      }
      out.push(message);
    }
    return out;
  }

  alerts(ids: readonly number[]): ActionableAlert[] {
    return this.s.alerts.all(JSON.stringify(ids)).map((r) => ({
      id: r.id,
      state: r.state,
      acknowledgedBy: r.acknowledged_by,
      acknowledgedAt: r.acknowledged_at,
      snoozedUntil: r.snoozed_until,
    }));
  }

  record(a: NewAlertAction): number | null {
    return this.s.record.get(a.alertId, a.action, a.userId, a.userName, a.value, a.at, a.actionKey)?.id ?? null;
  }

  acknowledge(id: number, by: { id: string; name: string }, at: number): void {
    this.s.ack.run(by.name, by.id, at, at, id);
  }

  snooze(id: number, until: number, now: number): void {
    this.s.snooze.run(until, now, id);
  }

  clear(id: number, now: number): void {
    this.s.clear.run(now, id);
  }

  channelName(alertId: number, slackChannel: string): string | undefined {
    // ";" sorts right after ":": the range is every key that starts with "alert:<id>:".
    return this.s.channelName.get(`alert:${alertId}:`, `alert:${alertId};`, slackChannel)?.channel;
  }

  actionsOf(alertIds: readonly number[]): Map<number, AlertActionView[]> {
    const out = new Map<number, AlertActionView[]>();
    if (alertIds.length === 0) return out;
    for (const r of this.s.actions.all(JSON.stringify(alertIds))) {
      const list = out.get(r.alert_id) ?? [];
      list.push({ action: r.action, userId: r.user_id, userName: r.user_name, value: r.value, at: new Date(r.at).toISOString() });
      out.set(r.alert_id, list);
    }
    return out;
  }
}

/**
 * Runs `attempt` with SQLite's busy handler off (busy_timeout 0), then puts the connection's
 * timeout back: "busy" when the write lock is held elsewhere. For a caller on the HTTP thread,
 * which waits for the lock between turns of the event loop instead of sleeping in SQLite.
 */
export function withoutBusyWait<T>(db: Db, attempt: () => T): { busy: false; value: T } | { busy: true } {
  const previous = db.pragma("busy_timeout", { simple: true }) as number;
  db.pragma("busy_timeout = 0");
  try {
    return { busy: false, value: attempt() };
  } catch (error) {
    if (!isBusy(error)) throw error;
    return { busy: true };
  } finally {
    db.pragma(`busy_timeout = ${previous}`);
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}
