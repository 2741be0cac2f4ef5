import type { DeliveryStatus, DeliveryView, Destination, MessageBody, NewOutboxMessage } from "./outbox-types.js";

/** Pure mapping between outbox table rows and what the worker, the API and the CLI see. */

/** One outbox row as the worker sees it. */
export interface OutboxRow {
  id: number;
  dedupeKey: string;
  channel: string;
  transport: Destination["type"];
  destination: Destination;
  lane: string;
  body: MessageBody;
  summary: string;
  groupKey: string | null;
  incidentKey: string | null;
  status: DeliveryStatus;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface RawRow {
  id: number;
  dedupe_key: string;
  channel: string;
  transport: string;
  destination: string;
  lane: string;
  kind: string;
  body: string;
  summary: string;
  group_key: string | null;
  incident_key: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
}


/** Deliveries in one lane go one at a time: per Slack channel (paced), per email channel name. */
export function laneOf(channel: string, destination: Destination): string {
  return destination.type === "slack" ? `slack:${destination.channel}` : `email:${channel}`;
}

export function summaryOf(body: MessageBody): string {
  return body.kind === "alert" ? body.summary : body.subject;
}

export function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    channel: r.channel,
    transport: r.transport as Destination["type"],
    destination: JSON.parse(r.destination) as Destination,
    lane: r.lane,
    body: JSON.parse(r.body) as MessageBody,
    summary: r.summary,
    groupKey: r.group_key,
    incidentKey: r.incident_key,
    status: r.status as DeliveryStatus,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function toView(r: RawRow): DeliveryView {
  const destination = JSON.parse(r.destination) as Destination;
  const status = r.status as DeliveryStatus;
  return {
    id: r.id,
    channel: r.channel,
    transport: destination.type,
    destination: destination.type === "slack" ? destination.channel : destination.to.join(", "),
    kind: r.kind as MessageBody["kind"],
    status,
    attempts: r.attempts,
    lastError: r.last_error,
    nextAttemptAt: status === "pending" || status === "retrying" ? iso(r.next_attempt_at) : null,
    createdAt: new Date(r.created_at).toISOString(),
    sentAt: iso(r.sent_at),
    summary: r.summary,
  };
}

export function checkMessage(msg: NewOutboxMessage): void {
  const d = msg.destination;
  const ok =
    typeof msg.dedupeKey === "string" &&
    msg.dedupeKey !== "" &&
    typeof msg.channel === "string" &&
    msg.channel !== "" &&
    Number.isFinite(msg.notBefore) &&
    ((d?.type === "slack" && typeof d.channel === "string" && d.channel !== "") ||
      (d?.type === "email" && Array.isArray(d.to) && d.to.length > 0));
  if (!ok) throw new TypeError(`invalid outbox message ${JSON.stringify(msg.dedupeKey)}: needs dedupeKey, channel, notBefore and a slack channel or email recipients`);
}
