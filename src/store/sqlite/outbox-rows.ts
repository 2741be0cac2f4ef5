import type { OutboxRow } from "../../outbox/outbox-store.js";
import type { DeliveryStatus, DeliveryView, Destination, MessageBody } from "../../outbox/outbox-types.js";

/** The `outbox` table's rows, and their mapping to what the worker, the API and the CLI see. */

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

/** Rows that may be sent: waiting for their time, or waiting to be tried again. */
const WAITING = "status IN ('pending', 'retrying')";
/** The waiting rows by lane, through the partial index. */
const LANES = "outbox INDEXED BY outbox_waiting_lane";

/** The statements of the SQLite outbox store. */
export const OUTBOX_SQL = {
  insert: `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, group_key,
                       incident_key, max_attempts, not_before, next_attempt_at, created_at, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
   ON CONFLICT (dedupe_key) DO NOTHING
   RETURNING id`,
  findId: "SELECT id FROM outbox WHERE dedupe_key = ?",
  // The oldest due row of each lane. The recursive part skips from one lane to the next through
  // the partial index, so a backlog of many rows in few lanes costs a few index seeks.
  dueScan: `WITH RECURSIVE lanes (lane) AS (
     SELECT (SELECT min(lane) FROM ${LANES} WHERE ${WAITING})
     UNION ALL
     SELECT (SELECT min(lane) FROM ${LANES} WHERE ${WAITING} AND lane > lanes.lane) FROM lanes WHERE lanes.lane IS NOT NULL)
   SELECT o.lane, o.transport, o.id FROM lanes
   JOIN outbox o ON o.id = (SELECT id FROM ${LANES} WHERE ${WAITING} AND lane = lanes.lane
                            ORDER BY next_attempt_at, id LIMIT 1)
   WHERE o.next_attempt_at <= ?
   ORDER BY o.next_attempt_at, o.id`,
  claimLeader: `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?, group_leader = NULL, updated_at = ?
   WHERE id = ? AND ${WAITING} AND next_attempt_at <= ?
   RETURNING *`,
  claimMembers: `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?, group_leader = ?, updated_at = ?
   WHERE id IN (SELECT id FROM outbox
                WHERE group_key = ? AND lane = ? AND ${WAITING} AND id != ? ORDER BY id LIMIT ?)
   RETURNING *`,
  expiredLeases: `SELECT * FROM outbox
   WHERE status = 'sending' AND locked_until <= ?
     AND id NOT IN (SELECT value FROM json_each(?))
   ORDER BY id`,
  sent: `UPDATE outbox SET status = 'sent', sent_at = ?, ref = ?, last_error = NULL, locked_until = NULL,
                     group_leader = NULL, updated_at = ?
   WHERE id IN (SELECT value FROM json_each(?))`,
  // One answer for one row: a null next attempt keeps the row's (a dead row keeps its last time).
  answer: `UPDATE outbox SET status = @status, attempts = attempts - @uncount, last_error = @error,
                     next_attempt_at = coalesce(@next, next_attempt_at),
                     locked_until = NULL, group_leader = NULL, updated_at = @now
   WHERE id = @id`,
  // Lanes start with the transport ("slack:…"), so a lane range finds one transport's rows
  // without walking another transport's backlog.
  unconfigured: `UPDATE ${LANES} SET status = 'unconfigured', last_error = ?, updated_at = ?
   WHERE ${WAITING} AND lane >= ? AND lane < ? AND next_attempt_at <= ?
   RETURNING id, channel`,
  futureDue: `SELECT min(t) AS t FROM (
     SELECT min(next_attempt_at) AS t FROM outbox WHERE ${WAITING} AND next_attempt_at > ?
     UNION ALL
     SELECT min(locked_until) FROM outbox WHERE status = 'sending' AND id NOT IN (SELECT value FROM json_each(?)))`,
  byId: "SELECT * FROM outbox WHERE id = ?",
  retryOne: `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                     locked_until = NULL, group_leader = NULL, updated_at = ?
   WHERE id = ? AND status IN ('dead', 'unconfigured', 'retrying', 'pending')
   RETURNING id`,
  retryStatus: `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                     locked_until = NULL, group_leader = NULL, updated_at = ?
   WHERE status = ?`,
  counts: "SELECT status, count(*) AS n FROM outbox GROUP BY status",
} as const;
