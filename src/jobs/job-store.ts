import type { Job, JobKind, JobStatus } from "./job-types.js";

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

/** What the queue decided about a failed attempt (JobQueue, with `decide()`); the store records it. */
export type JobAnswer = { retryAt: number; error: string } | { dead: true; error: string };

/**
 * Asked inside the store's write transaction for a job whose attempt failed or whose lease ran
 * out; must be pure (no I/O), it may run again when a transaction is retried.
 */
export type AnswerFor = (job: Job) => JobAnswer;

/** How a failure was recorded: pending again, dead, or folded into the subject's newer pending job. */
export type FailVerdict = "retry" | "dead" | "merged";

export interface JobListFilter {
  status?: JobStatus;
  kind?: JobKind;
  limit?: number;
}

/**
 * JobStore keeps the durable jobs: at most one pending and one running job per (kind, e-shop,
 * subject). A claim moves a due pending job to running with a lease and bumps `attempts`, which
 * doubles as the claim's fencing token. Recording a failure stores the queue's answer: dead, or
 * pending again at `retryAt` — merged into the subject's newer pending job when there is one (the
 * newer job does the same work), keeping the higher attempt count so a poison subject still ends dead.
 */
export interface JobStore {
  /**
   * In one write transaction: hands every job whose lease expired back (recorded as `expired`
   * answers), then claims up to `limit` due jobs whose subject has nothing running.
   */
  claim(now: number, options: ClaimOptions, expired: AnswerFor): Job[];
  /** Hands back every running job whatever its lease (a worker starting up); returns how many. */
  recoverAbandoned(now: number, abandoned: AnswerFor): number;
  /** Whether this claim still holds the job: call inside the transaction that writes its results. */
  isOwned(job: Pick<Job, "id" | "attempts">): boolean;
  /** Extends the leases of jobs still held by these claims. */
  heartbeat(jobs: readonly Pick<Job, "id" | "attempts">[], now: number, leaseMs: number): void;
  /** Marks a claimed job done with an optional note; false when the claim was lost. */
  complete(job: Pick<Job, "id" | "attempts">, now: number, note: string | null): boolean;
  /** Records `answer(job)` for a failed attempt; "lost" when the claim no longer holds the job. */
  fail(job: Pick<Job, "id" | "attempts">, now: number, answer: AnswerFor): FailVerdict | "lost";
  /** Adds a pending job, or folds into the subject's pending one (earliest run time, newest event). */
  enqueue(spec: EnqueueSpec, now: number): void;
  /** Puts dead jobs back to pending (all, or the given ids) with a fresh attempt budget; returns how many. */
  retryDead(now: number, ids?: readonly number[]): number;
  get(id: number): Job | null;
  /** Oldest first. */
  list(filter?: JobListFilter): Job[];
  countByStatus(): Record<JobStatus, number>;
  /** Due pending jobs whose subject has nothing running (what a claim could take), oldest first. */
  peekDue(now: number, limit: number): Job[];
  /** Deletes done jobs last updated before `before`; returns how many. */
  pruneDone(before: number): number;
}
