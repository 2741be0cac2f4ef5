import type { JobKind } from "../events/jobs-for-event.js";

export type { JobKind };

export type JobStatus = "pending" | "running" | "done" | "dead";

/**
 * A job row. Jobs are coalesced per (kind, e-shop, subject): at most one pending row per subject
 * (the receiver folds new webhooks into it) and at most one running, so a subject's work is
 * never done twice at once.
 */
export interface Job {
  id: number;
  kind: JobKind;
  eshopId: number;
  /** Warehouse id, product code, product GUID or variant code. */
  subject: string;
  /** The newest event folded into this job, when one caused it. */
  eventId: number | null;
  status: JobStatus;
  /** Attempts started, including the current one; also the fencing token of a claim. */
  attempts: number;
  /** Webhooks folded into this job. */
  coalesced: number;
  runAt: number;
  lockedUntil: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** The key that may have only one job running at a time. */
export function subjectKey(job: Pick<Job, "kind" | "eshopId" | "subject">): string {
  return `${job.kind}\u0000${job.eshopId}\u0000${job.subject}`;
}

/** Why a job failed, as the queue records it. */
export interface JobFailure {
  message: string;
  retryable: boolean;
  /** A wait the remote side asked for (Retry-After); the delay is at least this. */
  retryAfterMs: number | null;
}

/** The job no longer belongs to this worker (its lease expired and it was reassigned). */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}
