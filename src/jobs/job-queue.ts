import { decide, isDead } from "../retry/decide.js";
import type { RetryPolicy } from "../retry/retry-policy.js";
import type { ClaimOptions, EnqueueSpec, FailVerdict, JobAnswer, JobListFilter, JobStore } from "./job-store.js";
import type { Job, JobFailure, JobKind, JobStatus } from "./job-types.js";

export type { ClaimOptions, EnqueueSpec };

const LEASE_EXPIRED: JobFailure = {
  message: "lease expired: the worker stopped or crashed while running this job",
  retryable: true,
  retryAfterMs: null,
};

/**
 * The answer for a failed attempt of `job` under `policy`, from `decide()`: dead (not retryable, or
 * out of attempts — then the error says so) or pending again at the decided time. `backoff` false
 * for work handed back after a crash, which is retried at once.
 */
export function jobAnswer(
  policy: RetryPolicy,
  job: Pick<Job, "attempts">,
  failure: JobFailure,
  now: number,
  random: () => number,
  backoff = true,
): JobAnswer {
  const error = failure.message.slice(0, 2000);
  const decision = decide(policy, job.attempts, { retryable: failure.retryable, retryAfterMs: failure.retryAfterMs, backoff }, now, random);
  if (!isDead(decision)) return { retryAt: decision.retryAt, error };
  const why = decision.dead === "exhausted" ? `gave up after ${job.attempts} attempts (${policy.name} policy): ` : "";
  return { dead: true, error: `${why}${error}` };
}

/**
 * JobQueue is the stock worker's durable queue: a JobStore (claims under leases, at most one job
 * running per subject) whose failures are answered by a named RetryPolicy through `decide()`.
 * Expired leases (a crash) become pending work again at once.
 */
export class JobQueue {
  constructor(
    readonly store: JobStore,
    private readonly policyFor: (kind: JobKind) => RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Claims up to `limit` due jobs whose subject has nothing running, after turning expired
   * leases back into pending work. One write transaction, so two workers never claim one row.
   */
  claim(now: number, options: ClaimOptions): Job[] {
    return this.store.claim(now, options, (job) => this.answer(job, LEASE_EXPIRED, now, false));
  }

  /**
   * Treats every running job as abandoned, whatever its lease says: for a worker starting up, any
   * row still `running` belongs to a process that died (one worker process per database).
   */
  recoverAbandoned(now: number): number {
    return this.store.recoverAbandoned(now, (job) => this.answer(job, LEASE_EXPIRED, now, false));
  }

  /**
   * Records a failed attempt: dead when not retryable or out of attempts, else pending again after
   * the policy's delay (at least `retryAfterMs`). Returns what happened, or "lost" when the claim
   * was no longer ours.
   */
  fail(job: Pick<Job, "id" | "attempts">, failure: JobFailure, now: number): FailVerdict | "lost" {
    return this.store.fail(job, now, (current) => this.answer(current, failure, now, true));
  }

  private answer(job: Job, failure: JobFailure, now: number, backoff: boolean): JobAnswer {
    return jobAnswer(this.policyFor(job.kind), job, failure, now, this.random, backoff);
  }

  /** Whether this claim still holds the job: call inside the transaction that writes its results. */
  isOwned(job: Pick<Job, "id" | "attempts">): boolean {
    return this.store.isOwned(job);
  }

  heartbeat(jobs: readonly Pick<Job, "id" | "attempts">[], now: number, leaseMs: number): void {
    this.store.heartbeat(jobs, now, leaseMs);
  }

  /** Marks a claimed job done; `note` records why it did nothing, if so. False when the claim was lost. */
  complete(job: Pick<Job, "id" | "attempts">, now: number, note: string | null = null): boolean {
    return this.store.complete(job, now, note);
  }

  /** Adds a job (or folds into the pending one for its subject), like the receiver does. */
  enqueue(spec: EnqueueSpec, now: number): void {
    this.store.enqueue(spec, now);
  }

  retryDead(now: number, ids?: readonly number[]): number {
    return this.store.retryDead(now, ids);
  }

  get(id: number): Job | null {
    return this.store.get(id);
  }

  list(filter: JobListFilter = {}): Job[] {
    return this.store.list(filter);
  }

  countByStatus(): Record<JobStatus, number> {
    return this.store.countByStatus();
  }

  peekDue(now: number, limit: number): Job[] {
    return this.store.peekDue(now, limit);
  }

  pruneDone(before: number): number {
    return this.store.pruneDone(before);
  }
}
