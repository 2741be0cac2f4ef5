import type { SlackEntry } from "../notifiers/slack-thread-store.js";

/** An alert as the Slack buttons see it. */
export interface ActionableAlert {
  id: number;
  state: "open" | "resolved";
  /** The Slack user id of who acknowledged it (what messages show, as a mention). */
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  snoozedUntil: number | null;
}

/** One Slack message stockwatch posted, with the alerts it shows. */
export interface PostedMessage {
  id: number;
  /** The Slack channel as configured (`#warehouse`): the outbox destination of its updates. */
  channel: string;
  entries: SlackEntry[];
}

/** One recorded action, as GET /api/alerts lists it. */
export interface AlertActionView {
  action: "ack" | "snooze" | "unack";
  userId: string;
  userName: string;
  value: string | null;
  at: string;
}

export interface NewAlertAction {
  alertId: number;
  action: "ack" | "snooze" | "unack";
  userId: string;
  userName: string;
  value: string | null;
  at: number;
  actionKey: string;
}

/** Incident keys of stock alerts are `alert:<id>` (see buildAlertMessages). */
export function alertIdOf(incidentKey: string | null): number | null {
  const match = incidentKey ? /^alert:(\d+)$/.exec(incidentKey) : null;
  return match ? Number(match[1]) : null;
}

/**
 * AlertActionStore: what the Slack buttons read and write — which alerts a Slack message shows,
 * their acknowledgement and snooze, and the log of every action. Every method is one statement;
 * the caller's transaction groups them. SQLite: src/store/sqlite/alert-action-store.ts.
 */
export interface AlertActionStore {
  /** The Slack message posted as `ts` in this channel id. */
  message(channelId: string, ts: string): PostedMessage | undefined;
  /**
   * Every Slack message that shows this incident (one per channel it was sent to). `seen` keeps the
   * messages already read in this transaction: a group of 500 alerts is one message, parsed once.
   */
  messagesOf(incidentKey: string, seen: Map<number, PostedMessage>): PostedMessage[];
  /** These alerts, by id. */
  alerts(ids: readonly number[]): ActionableAlert[];
  /** Records an action: its id, or null when this action key was recorded for the alert already (a replay). */
  record(a: NewAlertAction): number | null;
  /** These change open alerts only. */
  acknowledge(id: number, by: { id: string; name: string }, at: number): void;
  snooze(id: number, until: number, now: number): void;
  clear(id: number, now: number): void;
  /** The rules channel name that sent this alert to the Slack channel (`#warehouse`), if still known. */
  channelName(alertId: number, slackChannel: string): string | undefined;
  /** The recorded actions of these alerts, oldest first. */
  actionsOf(alertIds: readonly number[]): Map<number, AlertActionView[]>;
}
