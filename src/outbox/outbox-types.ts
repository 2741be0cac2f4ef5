import type { Level } from "../stock/stock-types.js";

/**
 * The contract between whoever decides to send (rules engine, digest scheduler) and the outbox
 * that delivers. A producer writes NewOutboxMessage rows inside the same transaction as the state
 * change that caused them; the delivery worker turns them into Slack or email.
 */
export type Severity = "info" | "warning" | "critical";

export type Destination = { type: "slack"; channel: string } | { type: "email"; to: string[] };

/** One product (or event subject) named in an alert message. */
export interface AlertSubject {
  eshopId: number;
  /** Product code, or the event instance for event rules. */
  code: string;
  name: string | null;
  quantity: number | null;
  minStockSupply: number | null;
  level: Level | null;
  perStock?: Readonly<Record<string, number>>;
  /** Extra lines for the message (e.g. a forecast); plain text. */
  details?: string[];
}

export interface AlertMessage {
  kind: "alert";
  rule: string;
  severity: Severity;
  /** open: new incident; remind: still true; resolve: stopped being true; update: level changed. */
  transition: "open" | "remind" | "resolve" | "update";
  alertId: number;
  subject: AlertSubject;
  /** For event rules: the event that matched. */
  event?: { type: string; instance: string; eventId: number };
  /** One line, human readable, e.g. "Sold out: KAV-1 Colombia 250 g (0 left, minimum 5)". */
  summary: string;
  /**
   * Slack only: show the Acknowledge / Snooze / Undo buttons (an open stock alert while
   * SLACK_SIGNING_SECRET is set). The buttons act on every alert of the Slack message they sit in.
   */
  actions?: boolean;
  /** Who acknowledged the alert in Slack and when (epoch ms): shown in the message. */
  acknowledged?: { by: string; at: number } | null;
  /** No reminders before this time (epoch ms): shown in the message. */
  snoozedUntil?: number | null;
}

export interface DigestMessage {
  kind: "digest";
  digest: string;
  subject: string;
  text: string;
  html: string;
  periodFrom: number;
  periodTo: number;
}

export type MessageBody = AlertMessage | DigestMessage;

export interface NewOutboxMessage {
  /** Unique per (message, destination): a retry of the same decision must not enqueue twice. */
  dedupeKey: string;
  /** Channel name from the rules file. */
  channel: string;
  destination: Destination;
  body: MessageBody;
  /** Not delivered before this time (epoch ms): group window end, or the end of quiet hours. */
  notBefore: number;
  /**
   * Rows with the same groupKey that are pending when the first of them becomes due go out as ONE
   * message ("12 products sold out"). Usually `${rule}:${channel}:${transition}`; omit for no grouping.
   */
  groupKey?: string;
  /**
   * The incident this message belongs to (usually `alert:<alertId>`). A resolve/update message with
   * the incident key of an earlier Slack message updates that message (chat.update) and replies in
   * its thread instead of posting a new one.
   */
  incidentKey?: string;
}

/**
 * Where one delivery (one outbox row) stands:
 * pending (waiting for its time), sending (claimed by the worker, under a lease), sent,
 * retrying (failed, will be tried again at nextAttemptAt), dead (failed for good or out of
 * attempts; retry it from the CLI), unconfigured (its transport has no credentials: no
 * SLACK_BOT_TOKEN or no SMTP_URL; kept so nothing is lost, retryable once configured).
 */
export type DeliveryStatus = "pending" | "sending" | "sent" | "retrying" | "dead" | "unconfigured";

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  "pending",
  "sending",
  "sent",
  "retrying",
  "dead",
  "unconfigured",
];

export function isDeliveryStatus(value: string): value is DeliveryStatus {
  return (DELIVERY_STATUSES as readonly string[]).includes(value);
}

/** One delivery as `GET /api/deliveries` and `stockwatch deliveries list` show it. Times are ISO 8601. */
export interface DeliveryView {
  id: number;
  channel: string;
  /** "slack" or "email". */
  transport: Destination["type"];
  /** The Slack channel, or the email recipients joined with ", ". */
  destination: string;
  kind: MessageBody["kind"];
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
  summary: string;
}
