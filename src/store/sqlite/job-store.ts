import type { Db } from "../../db/open-database.js";
import type { AnswerFor, ClaimOptions, EnqueueSpec, FailVerdict, JobListFilter, JobStore } from "../../jobs/job-store.js";
import { subjectKey, type Job, type JobKind, type JobStatus } from "../../jobs/job-types.js";

interface JobRow {
  id: number;
  kind: string;
  eshop_id: number;
  subject: string;
  event_id: number | null;
  status: string;
  attempts: number;
  coalesced: number;
  run_at: number;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function jobFromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind as JobKind,
    eshopId: r.eshop_id,
    subject: r.subject,
    eventId: r.event_id,
    status: r.status as JobStatus,
    attempts: r.attempts,
    coalesced: r.coalesced,
    runAt: r.run_at,
    lockedUntil: r.locked_until,
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The `jobs` table (see JobStore). The partial unique index allows one pending row per subject. */
export function createSqliteJobStore(db: Db): JobStore {
  return new SqliteJobStore(db);
}

class SqliteJobStore implements JobStore {
  private readonly selectDue;
  private readonly claimOne;
  private readonly byId;
  private readonly pendingSibling;
  private readonly expired;
  private readonly owned;
  private readonly done;
  private readonly reschedule;
  private readonly mergeInto;
  private readonly remove;
  private readonly markDead;
  private readonly heartbeatOne;
  private readonly upsert;
  private readonly anyWork;

  constructor(private readonly db: Db) {
    this.selectDue = db.prepare<[number, number], JobRow>(
      `SELECT * FROM jobs j
        WHERE j.status = 'pending' AND j.run_at <= ?
          AND NOT EXISTS (SELECT 1 FROM jobs r
                           WHERE r.kind = j.kind AND r.eshop_id = j.eshop_id AND r.subject = j.subject
                             AND r.status = 'running')
        ORDER BY j.run_at, j.id
        LIMIT ?`,
    );
    this.claimOne = db.prepare<[number, number, number], JobRow>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_until = ?, updated_at = ?
        WHERE id = ? AND status = 'pending'
        RETURNING *`,
    );
    this.byId = db.prepare<[number], JobRow>("SELECT * FROM jobs WHERE id = ?");
    this.pendingSibling = db.prepare<[string, number, string], JobRow>(
      "SELECT * FROM jobs WHERE kind = ? AND eshop_id = ? AND subject = ? AND status = 'pending'",
    );
    this.expired = db.prepare<[number], JobRow>(
      "SELECT * FROM jobs WHERE status = 'running' AND (locked_until IS NULL OR locked_until < ?) ORDER BY id",
    );
    this.owned = db.prepare<[number, number], { one: number }>(
      "SELECT 1 AS one FROM jobs WHERE id = ? AND status = 'running' AND attempts = ?",
    );
    this.done = db.prepare<[string | null, number, number, number]>(
      `UPDATE jobs SET status = 'done', locked_until = NULL, last_error = ?, updated_at = ?
        WHERE id = ? AND status = 'running' AND attempts = ?`,
    );
    this.reschedule = db.prepare<[number, string, number, number]>(
      `UPDATE jobs SET status = 'pending', run_at = ?, locked_until = NULL, last_error = ?, updated_at = ?
        WHERE id = ?`,
    );
    this.mergeInto = db.prepare<[number, number, number, string, number, number]>(
      `UPDATE jobs SET attempts = max(attempts, ?), coalesced = coalesced + ?, run_at = max(run_at, ?),
                       last_error = ?, updated_at = ?
        WHERE id = ?`,
    );
    this.remove = db.prepare<[number]>("DELETE FROM jobs WHERE id = ?");
    this.markDead = db.prepare<[string, number, number]>(
      `UPDATE jobs SET status = 'dead', locked_until = NULL, last_error = ?, updated_at = ? WHERE id = ?`,
    );
    this.heartbeatOne = db.prepare<[number, number, number, number]>(
      `UPDATE jobs SET locked_until = ?, updated_at = ? WHERE id = ? AND status = 'running' AND attempts = ?`,
    );
    this.anyWork = db.prepare<[number, number], { one: number }>(
      `SELECT 1 AS one FROM jobs WHERE status = 'pending' AND run_at <= ?
       UNION ALL
       SELECT 1 FROM jobs WHERE status = 'running' AND (locked_until IS NULL OR locked_until < ?)
       LIMIT 1`,
    );
    this.upsert = db.prepare<[string, number, string, number | null, number, number, number]>(
      `INSERT INTO jobs (kind, eshop_id, subject, event_id, run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, eshop_id, subject) WHERE status = 'pending'
       DO UPDATE SET coalesced = coalesced + 1, event_id = coalesce(excluded.event_id, event_id),
                     run_at = min(run_at, excluded.run_at), updated_at = excluded.updated_at`,
    );
  }

  claim(now: number, options: ClaimOptions, expired: AnswerFor): Job[] {
    // Idle polls stay read-only: no write lock unless there is something to claim or reclaim.
    if (!this.anyWork.get(now, now)) return [];
    const tx = this.db.transaction((): Job[] => {
      this.reclaimInTx(now, now, expired);
      if (options.limit <= 0) return [];
      const seen = new Set<string>();
      const out: Job[] = [];
      // Over-fetch so subjects held back by `skip` do not starve the rest.
      for (const row of this.selectDue.all(now, Math.max(options.limit * 4, 16))) {
        const job = jobFromRow(row);
        const key = subjectKey(job);
        if (seen.has(key) || options.skip?.(job)) continue;
        seen.add(key);
        const claimed = this.claimOne.get(now + options.leaseMs, now, job.id);
        if (claimed) out.push(jobFromRow(claimed));
        if (out.length >= options.limit) break;
      }
      return out;
    });
    return tx.immediate();
  }

  recoverAbandoned(now: number, abandoned: AnswerFor): number {
    return this.db.transaction(() => this.reclaimInTx(Number.MAX_SAFE_INTEGER, now, abandoned)).immediate();
  }

  private reclaimInTx(cutoff: number, now: number, answer: AnswerFor): number {
    const rows = this.expired.all(cutoff);
    for (const row of rows) this.recordInTx(jobFromRow(row), now, answer);
    return rows.length;
  }

  isOwned(job: Pick<Job, "id" | "attempts">): boolean {
    return this.owned.get(job.id, job.attempts) !== undefined;
  }

  heartbeat(jobs: readonly Pick<Job, "id" | "attempts">[], now: number, leaseMs: number): void {
    if (jobs.length === 0) return;
    this.db
      .transaction(() => {
        for (const j of jobs) this.heartbeatOne.run(now + leaseMs, now, j.id, j.attempts);
      })
      .immediate();
  }

  complete(job: Pick<Job, "id" | "attempts">, now: number, note: string | null): boolean {
    return this.done.run(note, now, job.id, job.attempts).changes === 1;
  }

  fail(job: Pick<Job, "id" | "attempts">, now: number, answer: AnswerFor): FailVerdict | "lost" {
    return this.db
      .transaction(() => {
        if (!this.isOwned(job)) return "lost" as const;
        const row = this.byId.get(job.id);
        return row ? this.recordInTx(jobFromRow(row), now, answer) : ("lost" as const);
      })
      .immediate();
  }

  private recordInTx(job: Job, now: number, answerFor: AnswerFor): FailVerdict {
    const answer = answerFor(job);
    if ("dead" in answer) {
      this.markDead.run(answer.error, now, job.id);
      return "dead";
    }
    const sibling = this.pendingSibling.get(job.kind, job.eshopId, job.subject);
    if (sibling) {
      this.mergeInto.run(job.attempts, job.coalesced, answer.retryAt, answer.error, now, sibling.id);
      this.remove.run(job.id);
      return "merged";
    }
    this.reschedule.run(answer.retryAt, answer.error, now, job.id);
    return "retry";
  }

  enqueue(spec: EnqueueSpec, now: number): void {
    this.upsert.run(spec.kind, spec.eshopId, spec.subject, spec.eventId ?? null, spec.runAt, now, now);
  }

  retryDead(now: number, ids?: readonly number[]): number {
    return this.db
      .transaction(() => {
        const rows = ids
          ? ids.map((id) => this.byId.get(id)).filter((r): r is JobRow => r?.status === "dead")
          : this.db.prepare<[], JobRow>("SELECT * FROM jobs WHERE status = 'dead'").all();
        let n = 0;
        for (const r of rows) {
          const sibling = this.pendingSibling.get(r.kind, r.eshop_id, r.subject);
          if (sibling) {
            this.remove.run(r.id);
          } else {
            this.db
              .prepare("UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, updated_at = ? WHERE id = ?")
              .run(now, now, r.id);
          }
          n++;
        }
        return n;
      })
      .immediate();
  }

  get(id: number): Job | null {
    const row = this.byId.get(id);
    return row ? jobFromRow(row) : null;
  }

  list(filter: JobListFilter = {}): Job[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status) {
      where.push("status = ?");
      params.push(filter.status);
    }
    if (filter.kind) {
      where.push("kind = ?");
      params.push(filter.kind);
    }
    params.push(filter.limit ?? 1000);
    return this.db
      .prepare<(string | number)[], JobRow>(
        `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id LIMIT ?`,
      )
      .all(...params)
      .map(jobFromRow);
  }

  countByStatus(): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0 };
    for (const r of this.db.prepare<[], { status: JobStatus; n: number }>("SELECT status, count(*) AS n FROM jobs GROUP BY status").all()) {
      out[r.status] = r.n;
    }
    return out;
  }

  peekDue(now: number, limit: number): Job[] {
    return this.selectDue.all(now, limit).map(jobFromRow);
  }

  pruneDone(before: number): number {
    return this.db.prepare("DELETE FROM jobs WHERE status = 'done' AND updated_at < ?").run(before).changes;
  }
}
