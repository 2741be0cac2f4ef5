import type { Db } from "../../db/open-database.js";
import { checkMessage, laneOf, summaryOf } from "../../outbox/outbox-rows.js";
import type {
  Claim,
  DueLane,
  EnqueueResult,
  ListQuery,
  OutboxStore,
  RetryOutcome,
  RowAnswer,
  RowAnswerFor,
} from "../../outbox/outbox-store.js";
import type { DeliveryStatus, DeliveryView, Destination, NewOutboxMessage } from "../../outbox/outbox-types.js";
import { OUTBOX_SQL as SQL, toRow, toView, type RawRow } from "./outbox-rows.js";

/** The `outbox` table (see OutboxStore). */
export function createSqliteOutboxStore(db: Db): OutboxStore {
  return new SqliteOutboxStore(db);
}

interface AnswerParams {
  id: number;
  status: "retrying" | "dead";
  uncount: number;
  error: string;
  next: number | null;
  now: number;
}

class SqliteOutboxStore implements OutboxStore {
  private readonly insert;
  private readonly findId;
  private readonly dueScan;
  private readonly claimLeader;
  private readonly claimMembers;
  private readonly expiredLeases;
  private readonly sent;
  private readonly answer;
  private readonly unconfigured;
  private readonly futureDue;
  private readonly byId;
  private readonly retryOne;
  private readonly retryStatus;
  private readonly claimTx;

  constructor(private readonly db: Db) {
    this.insert = db.prepare<unknown[], { id: number }>(SQL.insert);
    this.findId = db.prepare<[string], { id: number }>(SQL.findId);
    this.dueScan = db.prepare<[number], DueLane>(SQL.dueScan);
    this.claimLeader = db.prepare<[number, number, number, number], RawRow>(SQL.claimLeader);
    this.claimMembers = db.prepare<[number, number, number, string, string, number, number], RawRow>(SQL.claimMembers);
    this.expiredLeases = db.prepare<[number, string], RawRow>(SQL.expiredLeases);
    this.sent = db.prepare<[number, string | null, number, string]>(SQL.sent);
    this.answer = db.prepare<[AnswerParams]>(SQL.answer);
    this.unconfigured = db.prepare<[string, number, string, string, number], { id: number; channel: string }>(SQL.unconfigured);
    this.futureDue = db.prepare<[number, string], { t: number | null }>(SQL.futureDue);
    this.byId = db.prepare<[number], RawRow>(SQL.byId);
    this.retryOne = db.prepare<[number, number, number], { id: number }>(SQL.retryOne);
    this.retryStatus = db.prepare<[number, number, string]>(SQL.retryStatus);
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

  enqueue(msg: NewOutboxMessage, now: number, maxAttempts: number): EnqueueResult {
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
      maxAttempts,
      msg.notBefore,
      msg.notBefore,
      now,
      now,
    );
    if (row) return { id: row.id, duplicate: false };
    return { id: this.findId.get(msg.dedupeKey)?.id ?? 0, duplicate: true };
  }

  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  recoverExpiredLeases(now: number, mine: readonly number[], answerFor: RowAnswerFor): number {
    return this.atomically(() => {
      const rows = this.expiredLeases.all(now, JSON.stringify(mine)).map(toRow);
      for (const row of rows) {
        const a = answerFor(row);
        // A row handed back keeps its place in its lane: it was due when it was claimed.
        const next = "dead" in a ? null : Math.min(row.nextAttemptAt, a.retryAt);
        this.answer.run({ id: row.id, status: "dead" in a ? "dead" : "retrying", uncount: 0, error: a.error, next, now });
      }
      return rows.length;
    });
  }

  dueLanes(now: number): DueLane[] {
    return this.dueScan.all(now);
  }

  claim(id: number, now: number, leaseMs: number, maxGroup = 1000): Claim | undefined {
    return this.claimTx.immediate(id, now, leaseMs, maxGroup);
  }

  markSent(ids: readonly number[], now: number, ref: string | null): void {
    this.sent.run(now, ref, now, JSON.stringify(ids));
  }

  markFailed(answers: readonly RowAnswer[], now: number, countAttempt: boolean): void {
    const uncount = countAttempt ? 0 : 1;
    this.atomically(() => {
      for (const a of answers) {
        const dead = "dead" in a;
        this.answer.run({ id: a.id, status: dead ? "dead" : "retrying", uncount, error: a.error, next: dead ? null : a.retryAt, now });
      }
    });
  }

  markUnconfigured(transport: Destination["type"], now: number, error: string): { count: number; channels: string[] } {
    const rows = this.unconfigured.all(error, now, `${transport}:`, `${transport};`, now);
    return { count: rows.length, channels: [...new Set(rows.map((r) => r.channel))] };
  }

  nextDueAfter(now: number, mine: readonly number[] = []): number | null {
    return this.futureDue.get(now, JSON.stringify(mine))?.t ?? null;
  }

  get(id: number): DeliveryView | undefined {
    const row = this.byId.get(id);
    return row ? toView(row) : undefined;
  }

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

  retry(id: number, now: number): RetryOutcome {
    if (this.retryOne.get(now, now, id)) return "queued";
    const row = this.byId.get(id);
    if (!row) return "not_found";
    return row.status === "sent" ? "already_sent" : "in_progress";
  }

  retryAll(status: "dead" | "unconfigured", now: number): number {
    return this.retryStatus.run(now, now, status).changes;
  }

  counts(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = { pending: 0, sending: 0, sent: 0, retrying: 0, dead: 0, unconfigured: 0 };
    for (const r of this.db.prepare<[], { status: DeliveryStatus; n: number }>(SQL.counts).all()) out[r.status] = r.n;
    return out;
  }
}
