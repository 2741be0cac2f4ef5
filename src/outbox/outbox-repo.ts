import type { Db } from "../db/open-database.js";
import type { DeliveryStatus, DeliveryView, Destination, NewOutboxMessage } from "./outbox-types.js";
import { checkMessage, laneOf, summaryOf, toRow, toView, type OutboxRow, type RawRow } from "./outbox-rows.js";
import { DELIVERY_RETRY, type RetryPolicy } from "./retry-policy.js";

export { laneOf, type OutboxRow };

/** A claimed send: the leader row first, then rows merged into it by group key. */
export interface Claim {
  leader: OutboxRow;
  rows: OutboxRow[];
}

export interface EnqueueResult {
  /** The row id (also for a duplicate). */
  id: number;
  duplicate: boolean;
}

export interface DueLane {
  lane: string;
  transport: Destination["type"];
  id: number;
}

export interface FailureUpdate {
  nextAttemptAt: number;
  error: string;
  /** Dead at once, whatever the attempts. */
  permanent: boolean;
  /** false: the attempt is not counted (the channel was paused, not the message refused). */
  countAttempt: boolean;
}

export interface ListQuery {
  status?: DeliveryStatus | undefined;
  /** Any of these (e.g. the problems: dead, retrying, unconfigured). */
  statuses?: readonly DeliveryStatus[] | undefined;
  limit?: number | undefined;
  /** Page back from this id (exclusive). */
  before?: number | undefined;
}

export type RetryOutcome = "queued" | "not_found" | "already_sent" | "in_progress";

/** Rows that may be sent: waiting for their time, or waiting to be tried again. */
const WAITING = "status IN ('pending', 'retrying')";
const LEASE_LOST = "the worker stopped while sending (its lease expired); sending again";

/**
 * OutboxRepo stores messages waiting to be delivered, one row per (message, destination), and
 * their delivery state. All times are epoch ms passed in by the caller.
 */
export class OutboxRepo {
  private readonly insert;
  private readonly findId;
  private readonly dueScan;
  private readonly claimLeader;
  private readonly claimMembers;
  private readonly recover;
  private readonly sent;
  private readonly failed;
  private readonly unconfigured;
  private readonly futureDue;
  private readonly byId;
  private readonly retryOne;
  private readonly retryStatus;
  private readonly claimTx;

  constructor(
    private readonly db: Db,
    private readonly policy: RetryPolicy = DELIVERY_RETRY,
  ) {
    this.insert = db.prepare<unknown[], { id: number }>(
      `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, group_key,
                           incident_key, max_attempts, not_before, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
    );
    this.findId = db.prepare<[string], { id: number }>("SELECT id FROM outbox WHERE dedupe_key = ?");
    // The oldest due row of each lane. The recursive part skips from one lane to the next through
    // the partial index, so a backlog of many rows in few lanes costs a few index seeks.
    const lanes = "outbox INDEXED BY outbox_waiting_lane";
    this.dueScan = db.prepare<[number], DueLane>(
      `WITH RECURSIVE lanes (lane) AS (
         SELECT (SELECT min(lane) FROM ${lanes} WHERE ${WAITING})
         UNION ALL
         SELECT (SELECT min(lane) FROM ${lanes} WHERE ${WAITING} AND lane > lanes.lane) FROM lanes WHERE lanes.lane IS NOT NULL)
       SELECT o.lane, o.transport, o.id FROM lanes
       JOIN outbox o ON o.id = (SELECT id FROM ${lanes} WHERE ${WAITING} AND lane = lanes.lane
                                ORDER BY next_attempt_at, id LIMIT 1)
       WHERE o.next_attempt_at <= ?
       ORDER BY o.next_attempt_at, o.id`,
    );
    this.claimLeader = db.prepare<[number, number, number, number], RawRow>(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?, group_leader = NULL, updated_at = ?
       WHERE id = ? AND ${WAITING} AND next_attempt_at <= ?
       RETURNING *`,
    );
    this.claimMembers = db.prepare<[number, number, number, string, string, number, number], RawRow>(
      `UPDATE outbox SET status = 'sending', attempts = attempts + 1, locked_until = ?, group_leader = ?, updated_at = ?
       WHERE id IN (SELECT id FROM outbox
                    WHERE group_key = ? AND lane = ? AND ${WAITING} AND id != ? ORDER BY id LIMIT ?)
       RETURNING *`,
    );
    this.recover = db.prepare<[string, string, number, number, string], { id: number; status: string }>(
      `UPDATE outbox SET
         status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'retrying' END,
         last_error = CASE WHEN attempts >= max_attempts THEN 'gave up after ' || attempts || ' attempts: ' || ? ELSE ? END,
         locked_until = NULL, group_leader = NULL, updated_at = ?
       WHERE status = 'sending' AND locked_until <= ?
         AND id NOT IN (SELECT value FROM json_each(?))
       RETURNING id, status`,
    );
    this.sent = db.prepare<[number, string | null, number, string]>(
      `UPDATE outbox SET status = 'sent', sent_at = ?, ref = ?, last_error = NULL, locked_until = NULL,
                         group_leader = NULL, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?))`,
    );
    this.failed = db.prepare<
      [{ uncount: number; permanent: number; next: number; now: number; error: string; ids: string }],
      { id: number; status: string }
    >(
      `UPDATE outbox SET
         attempts = attempts - @uncount,
         status = CASE WHEN @permanent THEN 'dead' WHEN attempts - @uncount >= max_attempts THEN 'dead' ELSE 'retrying' END,
         last_error = CASE WHEN NOT @permanent AND attempts - @uncount >= max_attempts
                           THEN 'gave up after ' || CAST(attempts - @uncount AS INTEGER) || ' attempts: ' || @error ELSE @error END,
         next_attempt_at = CASE WHEN @permanent OR attempts - @uncount >= max_attempts THEN next_attempt_at ELSE @next END,
         locked_until = NULL, group_leader = NULL, updated_at = @now
       WHERE id IN (SELECT value FROM json_each(@ids))
       RETURNING id, status`,
    );
    // Lanes start with the transport ("slack:…"), so a lane range finds one transport's rows
    // without walking another transport's backlog.
    this.unconfigured = db.prepare<[string, number, string, string, number], { id: number; channel: string }>(
      `UPDATE ${lanes} SET status = 'unconfigured', last_error = ?, updated_at = ?
       WHERE ${WAITING} AND lane >= ? AND lane < ? AND next_attempt_at <= ?
       RETURNING id, channel`,
    );
    this.futureDue = db.prepare<[number, string], { t: number | null }>(
      `SELECT min(t) AS t FROM (
         SELECT min(next_attempt_at) AS t FROM outbox WHERE ${WAITING} AND next_attempt_at > ?
         UNION ALL
         SELECT min(locked_until) FROM outbox WHERE status = 'sending' AND id NOT IN (SELECT value FROM json_each(?)))`,
    );
    this.byId = db.prepare<[number], RawRow>("SELECT * FROM outbox WHERE id = ?");
    this.retryOne = db.prepare<[number, number, number], { id: number }>(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                         locked_until = NULL, group_leader = NULL, updated_at = ?
       WHERE id = ? AND status IN ('dead', 'unconfigured', 'retrying', 'pending')
       RETURNING id`,
    );
    this.retryStatus = db.prepare<[number, number, string]>(
      `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL,
                         locked_until = NULL, group_leader = NULL, updated_at = ?
       WHERE status = ?`,
    );
    this.claimTx = db.transaction((id: number, now: number, leaseMs: number, maxGroup: number): Claim | undefined => {
      const leader = this.claimLeader.get(now + leaseMs, now, id, now);
      if (!leader) return undefined;
      const rows = [toRow(leader)];
      if (leader.group_key !== null && maxGroup > 1) {
        const members = this.claimMembers
          .all(now + leaseMs, leader.id, now, leader.group_key, leader.lane, leader.id, maxGroup - 1)
          .sort((a, b) => a.id - b.id);
        rows.push(...members.map(toRow));
      }
      return { leader: rows[0]!, rows };
    });
  }

  /**
   * Adds a message; a second message with the same dedupe key is ignored. Synchronous, so a
   * producer can call it inside its own transaction: the row commits with the state change.
   */
  enqueue(msg: NewOutboxMessage, now: number): EnqueueResult {
    checkMessage(msg);
    const row = this.insert.get(
      msg.dedupeKey,
      msg.channel,
      msg.destination.type,
      JSON.stringify(msg.destination),
      laneOf(msg.channel, msg.destination),
      msg.body.kind,
      JSON.stringify(msg.body),
      summaryOf(msg.body),
      msg.groupKey ?? null,
      msg.incidentKey ?? null,
      this.policy.maxAttempts,
      msg.notBefore,
      msg.notBefore,
      now,
      now,
    );
    if (row) return { id: row.id, duplicate: false };
    return { id: this.findId.get(msg.dedupeKey)?.id ?? 0, duplicate: true };
  }

  /**
   * Rows whose sender died mid-send (lease expired) become due again: at most one duplicate,
   * never a loss. `mine` are rows this process is still sending; they are left alone.
   */
  recoverExpiredLeases(now: number, mine: readonly number[] = []): number {
    return this.recover.all(LEASE_LOST, LEASE_LOST, now, now, JSON.stringify(mine)).length;
  }

  /** The oldest due row of every lane. */
  dueLanes(now: number): DueLane[] {
    return this.dueScan.all(now);
  }

  /**
   * Claims row `id` under a lease, with every waiting row of its group in the same lane (the
   * group goes out as one message). undefined when someone else took it or it is no longer due.
   */
  claim(id: number, now: number, leaseMs: number, maxGroup = 1000): Claim | undefined {
    return this.claimTx.immediate(id, now, leaseMs, maxGroup);
  }

  markSent(ids: readonly number[], now: number, ref: string | null): void {
    this.sent.run(now, ref, now, JSON.stringify(ids));
  }

  /** Records a failed attempt: retrying at `nextAttemptAt`, or dead (permanent, or out of attempts). */
  markFailed(ids: readonly number[], now: number, f: FailureUpdate): { id: number; status: DeliveryStatus }[] {
    return this.failed
      .all({
        uncount: f.countAttempt ? 0 : 1,
        permanent: f.permanent ? 1 : 0,
        next: f.nextAttemptAt,
        now,
        error: f.error,
        ids: JSON.stringify(ids),
      })
      .map((r) => ({ id: r.id, status: r.status as DeliveryStatus }));
  }

  /** Marks the due rows of a transport without credentials; returns the channels they were for. */
  markUnconfigured(transport: Destination["type"], now: number, error: string): { count: number; channels: string[] } {
    const rows = this.unconfigured.all(error, now, `${transport}:`, `${transport};`, now);
    return { count: rows.length, channels: [...new Set(rows.map((r) => r.channel))] };
  }

  /** When the next row becomes due (or a foreign lease expires), after `now`; null when nothing waits. */
  nextDueAfter(now: number, mine: readonly number[] = []): number | null {
    return this.futureDue.get(now, JSON.stringify(mine))?.t ?? null;
  }

  get(id: number): DeliveryView | undefined {
    const row = this.byId.get(id);
    return row ? toView(row) : undefined;
  }

  /** Newest first. */
  list(query: ListQuery = {}): DeliveryView[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status) {
      where.push("status = ?");
      params.push(query.status);
    }
    if (query.statuses?.length) {
      where.push(`status IN (${query.statuses.map(() => "?").join(", ")})`);
      params.push(...query.statuses);
    }
    if (query.before !== undefined) {
      where.push("id < ?");
      params.push(query.before);
    }
    params.push(Math.min(Math.max(query.limit ?? 100, 1), 1000));
    const rows = this.db
      .prepare<unknown[], RawRow>(
        `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`,
      )
      .all(...params);
    return rows.map(toView);
  }

  /** Queues one delivery again, now, with fresh attempts (dead, unconfigured or waiting rows). */
  retry(id: number, now: number): RetryOutcome {
    if (this.retryOne.get(now, now, id)) return "queued";
    const row = this.byId.get(id);
    if (!row) return "not_found";
    return row.status === "sent" ? "already_sent" : "in_progress";
  }

  /** Queues every delivery in `status` again; returns how many. */
  retryAll(status: "dead" | "unconfigured", now: number): number {
    return this.retryStatus.run(now, now, status).changes;
  }

  counts(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = {
      pending: 0,
      sending: 0,
      sent: 0,
      retrying: 0,
      dead: 0,
      unconfigured: 0,
    };
    for (const r of this.db
      .prepare<[], { status: DeliveryStatus; n: number }>("SELECT status, count(*) AS n FROM outbox GROUP BY status")
      .all()) {
      out[r.status] = r.n;
    }
    return out;
  }
}
