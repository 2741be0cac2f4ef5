import type { Db } from "../db/open-database.js";
import { isExhausted, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
import { jobFromRow, subjectKey, type Job, type JobFailure, type JobKind, type JobRow, type JobStatus } from "./job-types.js";

export interface ClaimOptions {
  limit: number;
  leaseMs: number;
  /** Return true to leave a due job for later (e.g. its subject was read moments ago). */
  skip?: (job: Job) => boolean;
}

export interface EnqueueSpec {
  kind: JobKind;
  eshopId: number;
  subject: string;
  eventId?: number | null;
  runAt: number;
}

const LEASE_EXPIRED = "lease expired: the worker stopped or crashed while running this job";

/**
 * JobQueue is the durable job store on the `jobs` table. A claim moves a due pending row to
 * running with a lease (`locked_until`) and bumps `attempts`, which doubles as the claim's fencing
 * token: `isOwned(job)` is false once the lease was taken over. Failures reschedule with a named
 * RetryPolicy or end in `dead` with the last error. Expired leases (a crash) are turned back into
 * pending work — merged into the subject's newer pending row when there is one, because the
 * partial unique index allows only one pending row per subject.
 */
export class JobQueue {
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

  constructor(
    private readonly db: Db,
    private readonly policyFor: (kind: JobKind) => RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {
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

  /**
   * Claims up to `limit` due jobs whose subject has nothing running, after turning expired
   * leases back into pending work. One write transaction, so two workers never claim one row.
   */
  claim(now: number, options: ClaimOptions): Job[] {
    // Idle polls stay read-only: no write lock unless there is something to claim or reclaim.
    if (!this.anyWork.get(now, now)) return [];
    const tx = this.db.transaction((): Job[] => {
      this.reclaimExpiredInTx(now);
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

  /**
   * Treats every running job as abandoned, whatever its lease says: for a worker starting up, any
   * row still `running` belongs to a process that died (one worker process per database).
   */
  recoverAbandoned(now: number): number {
    return this.db.transaction(() => this.reclaimExpiredInTx(Number.MAX_SAFE_INTEGER, now)).immediate();
  }

  private reclaimExpiredInTx(cutoff: number, now = cutoff): number {
    const rows = this.expired.all(cutoff);
    for (const row of rows) {
      this.failInTx(jobFromRow(row), { message: LEASE_EXPIRED, retryable: true, retryAfterMs: null }, now, 0);
    }
    return rows.length;
  }

  /** Whether this claim still holds the job: call inside the transaction that writes its results. */
  isOwned(job: Pick<Job, "id" | "attempts">): boolean {
    return this.owned.get(job.id, job.attempts) !== undefined;
  }

  /** Extends the leases of jobs still held by these claims. */
  heartbeat(jobs: readonly Pick<Job, "id" | "attempts">[], now: number, leaseMs: number): void {
    if (jobs.length === 0) return;
    this.db
      .transaction(() => {
        for (const j of jobs) this.heartbeatOne.run(now + leaseMs, now, j.id, j.attempts);
      })
      .immediate();
  }

  /** Marks a claimed job done; `note` records why it did nothing, if so. False when the claim was lost. */
  complete(job: Pick<Job, "id" | "attempts">, now: number, note: string | null = null): boolean {
    return this.done.run(note, now, job.id, job.attempts).changes === 1;
  }

  /**
   * Records a failed attempt: dead when not retryable or out of attempts, else pending again after
   * the policy's delay (at least `retryAfterMs`). Returns what happened, or "lost" when the claim
   * was no longer ours.
   */
  fail(job: Pick<Job, "id" | "attempts">, failure: JobFailure, now: number): "retry" | "dead" | "merged" | "lost" {
    return this.db
      .transaction(() => {
        if (!this.isOwned(job)) return "lost" as const;
        const row = this.byId.get(job.id);
        return row ? this.failInTx(jobFromRow(row), failure, now, 1) : ("lost" as const);
      })
      .immediate();
  }

  private failInTx(job: Job, failure: JobFailure, now: number, minDelayMs: number): "retry" | "dead" | "merged" {
    const policy = this.policyFor(job.kind);
    const message = failure.message.slice(0, 2000);
    if (!failure.retryable || isExhausted(policy, job.attempts)) {
      const why = failure.retryable ? `gave up after ${job.attempts} attempts (${policy.name} policy): ` : "";
      this.markDead.run(`${why}${message}`, now, job.id);
      return "dead";
    }
    // A crash gets a prompt retry (minDelayMs 0); an error waits per the policy.
    const delay = Math.max(minDelayMs ? retryDelayMs(policy, job.attempts, this.random) : 0, failure.retryAfterMs ?? 0);
    const runAt = now + delay;
    const sibling = this.pendingSibling.get(job.kind, job.eshopId, job.subject);
    if (sibling) {
      // The newer pending job does the same work (read after the cursor / check the newest event):
      // fold this one into it, keeping the attempt count so a poison subject still ends dead.
      this.mergeInto.run(job.attempts, job.coalesced, runAt, message, now, sibling.id);
      this.remove.run(job.id);
      return "merged";
    }
    this.reschedule.run(runAt, message, now, job.id);
    return "retry";
  }

  /** Adds a job (or folds into the pending one for its subject), like the receiver does. */
  enqueue(spec: EnqueueSpec, now: number): void {
    this.upsert.run(spec.kind, spec.eshopId, spec.subject, spec.eventId ?? null, spec.runAt, now, now);
  }

  /** Puts dead jobs back to pending (all, or the given ids) with a fresh attempt budget. */
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

  list(filter: { status?: JobStatus; kind?: JobKind; limit?: number } = {}): Job[] {
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

  /** Due pending jobs whose subject has nothing running (what a claim could take), oldest first. */
  peekDue(now: number, limit: number): Job[] {
    return this.selectDue.all(now, limit).map(jobFromRow);
  }

  /** Deletes finished jobs older than `before`; dead ones stay until retried or removed by hand. */
  pruneDone(before: number): number {
    return this.db.prepare("DELETE FROM jobs WHERE status = 'done' AND updated_at < ?").run(before).changes;
  }
}
