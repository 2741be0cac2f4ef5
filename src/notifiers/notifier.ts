import type { Destination, MessageBody } from "../outbox/outbox-types.js";

/** Transport is how a destination is reached; one Notifier per transport. */
export type Transport = Destination["type"];

/** One outbox row carried by a send. */
export interface OutgoingItem {
  outboxId: number;
  body: MessageBody;
  incidentKey: string | null;
}

/**
 * OutgoingMessage is what the delivery worker hands a notifier: one message to one destination,
 * carrying one outbox row, or several merged by their group key ("12 products sold out").
 */
export interface OutgoingMessage {
  /** The outbox row that leads the send; stable across retries of a single row. */
  id: number;
  /** The leader's dedupe key: with `id`, the source of a stable email Message-ID. */
  key: string;
  /** Channel name from the rules file. */
  channel: string;
  destination: Destination;
  /** At least one; more than one when rows were merged by group key. */
  items: OutgoingItem[];
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * DeliveryResult is a notifier's verdict on one send. Notifiers never retry: they say whether a
 * retry could help, and the delivery worker decides when (and whether) to try again.
 */
export type DeliveryResult =
  | { ok: true; ref?: string }
  | {
      ok: false;
      /** true: a later attempt may succeed (rate limit, 5xx, network, SMTP 4xx). */
      retryable: boolean;
      /** Short machine-friendly cause, e.g. "rate_limited", "channel_not_found", "smtp_550". */
      reason: string;
      /** What happened and, where it helps, what to fix. May contain secrets: the worker redacts it. */
      error: string;
      /** The server asked to wait at least this long (Slack 429 Retry-After). */
      retryAfterMs?: number;
      /** The whole transport is unusable until the operator acts (SMTP authentication failed). */
      pauseChannel?: boolean;
    };

/** Notifier delivers messages over one transport. */
export interface Notifier {
  readonly transport: Transport;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  /** Releases connections (SMTP pool). */
  close?(): Promise<void>;
}
