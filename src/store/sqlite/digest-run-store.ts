import type { Db } from "../../db/open-database.js";
import type { DigestRun, DigestRunStatus, DigestRunStore, DigestTrigger, NewDigestRun } from "../../digest/digest-store.js";

interface Row {
  id: number;
  digest: string;
  slot: number | null;
  trigger: string;
  period_from: number;
  period_to: number;
  status: string;
  messages: number;
  subject: string | null;
  error: string | null;
  created_at: number;
  sent_at: number | null;
}

const DONE = "status IN ('queued', 'empty')";

function toRun(r: Row): DigestRun {
  return {
    id: r.id,
    digest: r.digest,
    slot: r.slot,
    trigger: r.trigger as DigestTrigger,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    status: r.status as DigestRunStatus,
    messages: r.messages,
    subject: r.subject,
    error: r.error,
    createdAt: r.created_at,
    sentAt: r.sent_at,
  };
}

/** DigestRunStore on SQLite: digest_runs and digest_schedules. */
export class SqliteDigestRunStore implements DigestRunStore {
  private readonly lastScheduledStmt;
  private readonly slotStmt;
  private readonly periodStmt;
  private readonly insertStmt;
  private readonly seenGet;
  private readonly seenUpsert;
  private readonly listStmt;
  private readonly failedFromStmt;

  constructor(db: Db) {
    this.lastScheduledStmt = db.prepare<[string], Row>(
      `SELECT * FROM digest_runs WHERE digest = ? AND slot IS NOT NULL AND ${DONE} ORDER BY slot DESC LIMIT 1`,
    );
    this.slotStmt = db.prepare<[string, number], Row>(`SELECT * FROM digest_runs WHERE digest = ? AND slot = ? AND ${DONE}`);
    this.periodStmt = db.prepare<[string, number, number], Row>(
      `SELECT * FROM digest_runs WHERE digest = ? AND period_from = ? AND period_to = ? AND ${DONE}`,
    );
    this.insertStmt = db.prepare(
      `INSERT INTO digest_runs (digest, slot, trigger, period_from, period_to, status, messages, subject, error, created_at, sent_at)
       VALUES (@digest, @slot, @trigger, @periodFrom, @periodTo, @status, @messages, @subject, @error, @createdAt, @sentAt)`,
    );
    this.seenGet = db.prepare<[string], { first_seen_at: number; schedule: string; timezone: string }>(
      "SELECT first_seen_at, schedule, timezone FROM digest_schedules WHERE digest = ?",
    );
    this.seenUpsert = db.prepare<[string, string, string, number, number]>(
      `INSERT INTO digest_schedules (digest, schedule, timezone, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (digest) DO UPDATE SET schedule = excluded.schedule, timezone = excluded.timezone, updated_at = excluded.updated_at`,
    );
    this.failedFromStmt = db.prepare<[string], { from: number | null }>(
      "SELECT min(period_from) AS \"from\" FROM digest_runs WHERE digest = ? AND slot IS NOT NULL AND status = 'failed'",
    );
    this.listStmt = db.prepare<[string, number], Row>("SELECT * FROM digest_runs WHERE digest = ? ORDER BY id DESC LIMIT ?");
  }

  lastScheduled(digest: string): DigestRun | null {
    const row = this.lastScheduledStmt.get(digest);
    return row ? toRun(row) : null;
  }

  forSlot(digest: string, slot: number): DigestRun | null {
    const row = this.slotStmt.get(digest, slot);
    return row ? toRun(row) : null;
  }

  forPeriod(digest: string, from: number, to: number): DigestRun | null {
    const row = this.periodStmt.get(digest, from, to);
    return row ? toRun(row) : null;
  }

  insert(run: NewDigestRun): number {
    return Number(this.insertStmt.run(run).lastInsertRowid);
  }

  firstSeen(digest: string, schedule: string, timezone: string, now: number): number {
    const row = this.seenGet.get(digest);
    if (row && row.schedule === schedule && row.timezone === timezone) return row.first_seen_at;
    this.seenUpsert.run(digest, schedule, timezone, now, now);
    return row?.first_seen_at ?? now;
  }

  firstFailedFrom(digest: string): number | null {
    return this.failedFromStmt.get(digest)?.from ?? null;
  }

  list(digest: string, limit = 50): DigestRun[] {
    return this.listStmt.all(digest, limit).map(toRun);
  }
}
