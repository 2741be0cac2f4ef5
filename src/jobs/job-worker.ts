import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import type { JobQueue } from "./job-queue.js";
import { LeaseLostError, subjectKey, type Job, type JobFailure, type JobKind } from "./job-types.js";

/** What a handler gets besides its job. */
export interface JobContext {
  /** Throws LeaseLostError when this claim lost the job; call inside every transaction that writes results. */
  assertOwned(): void;
}

/** A handler's verdict: `note` is stored on the done row (e.g. why nothing was done). */
export interface JobOutcome {
  note?: string;
}

export type JobHandler = (job: Job, ctx: JobContext) => Promise<JobOutcome | void>;

export interface JobWorkerOptions {
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  handlers: Partial<Record<JobKind, JobHandler>>;
  /** Turns a handler's error into a failure record (retryable? wait?). Default: retryable. */
  classify?: (error: Error) => JobFailure;
  /** Jobs run at once (different subjects). Default 4. */
  concurrency?: number;
  /** How often to look for due jobs when nobody calls wake(). Default 200 ms. */
  pollIntervalMs?: number;
  /** Lease per claim, extended by a heartbeat while the job runs. Default 2 min. */
  leaseMs?: number;
  /**
   * Least time between two starts of the same subject, per kind. A warehouse read moments ago is
   * not read again at once: webhooks arriving meanwhile fold into one pending job.
   */
  minGapMs?: Partial<Record<JobKind, number>>;
  /** Secrets to scrub from stored errors and logs. */
  secrets?: readonly string[];
  /** Real-time waits (polling, idle checks). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * On the first claim, treat every `running` row as abandoned by a dead process and retry it at
   * once instead of waiting for its lease to expire. Right when one worker process owns the
   * database (stockwatch's deployment); set false to rely on lease expiry alone. Default true.
   */
  recoverOnStart?: boolean;
  /** Done jobs older than this are deleted (checked at most hourly). Default 7 days; 0 keeps them. */
  keepDoneMs?: number;
  /**
   * Waits before the next claim when jobs keep coming back to back (default: the next turn of
   * the event loop). The daemon passes its ingest pacer: while webhooks pour in, their commits
   * go first and the jobs follow a few milliseconds apart.
   */
  pace?: () => Promise<void>;
}

const defaultClassify = (error: Error): JobFailure => ({ message: error.message, retryable: true, retryAfterMs: null });

/**
 * JobWorker claims due jobs and runs their handlers, a few at a time, never two of one subject.
 * `start()` polls (and reacts to `wake()` at once); `stop()` waits for running handlers;
 * `runUntilIdle()` drains everything due, for tests, the CLI and the demo.
 */
export class JobWorker {
  private readonly inflight = new Map<number, { job: Job; promise: Promise<void> }>();
  private readonly lastStart = new Map<string, number>();
  private running = false;
  private loopDone: Promise<void> | null = null;
  private signal: (() => void) | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private recovered: boolean;
  private wakeRequested = false;
  private lastPrune = 0;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly classify: (error: Error) => JobFailure;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: JobWorkerOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.leaseMs = options.leaseMs ?? 120_000;
    this.classify = options.classify ?? defaultClassify;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.recovered = options.recoverOnStart === false;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming and resolves once every running handler has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    this.loopDone = null;
    await this.settleAll();
  }

  /** Look for due jobs now (the receiver calls this after committing webhooks). */
  wake(): void {
    this.wakeRequested = true;
    const s = this.signal;
    this.signal = null;
    s?.();
  }

  /** Runs until no job is due (pending with run_at in the future do not count) and none runs. */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      const claimed = this.tick();
      if (this.inflight.size > 0) {
        await Promise.race([...this.inflight.values()].map((f) => f.promise));
        continue;
      }
      if (claimed > 0) continue;
      const wait = this.gapWaitMs();
      if (wait === null) return;
      await this.sleep(Math.min(Math.max(wait, 1), this.pollIntervalMs));
    }
  }

  get busy(): number {
    return this.inflight.size;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      try {
        this.tick();
      } catch (error) {
        this.options.logger.error({ err: coerceError(error) }, "job worker could not claim jobs; retrying");
      }
      if (this.wakeRequested) {
        // Something finished or arrived while we claimed: look again, but let I/O run first.
        await (this.options.pace?.() ?? new Promise((r) => setImmediate(r)));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.signal = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      // Woken by new work: the pacer decides how soon the next claim may follow.
      if (this.options.pace && this.running) await this.options.pace();
    }
  }

  /** Claims what fits and starts it; returns how many jobs started. */
  private tick(): number {
    const now = this.options.clock.now();
    if (!this.recovered) {
      this.recovered = true;
      const n = this.options.queue.recoverAbandoned(now);
      if (n > 0) this.options.logger.warn({ jobs: n }, "resuming jobs left running by a previous process");
    }
    this.pruneDone(now);
    const free = this.concurrency - this.inflight.size;
    if (free <= 0) return 0;
    const busy = new Set([...this.inflight.values()].map((f) => subjectKey(f.job)));
    const jobs = this.options.queue.claim(now, {
      limit: free,
      leaseMs: this.leaseMs,
      skip: (job) => busy.has(subjectKey(job)) || this.gapRemaining(job, now) > 0,
    });
    for (const job of jobs) this.run(job, now);
    return jobs.length;
  }

  private pruneDone(now: number): void {
    const keep = this.options.keepDoneMs ?? 7 * 86_400_000;
    if (keep <= 0 || now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    const n = this.options.queue.pruneDone(now - keep);
    if (n > 0) this.options.logger.debug({ jobs: n }, "deleted old finished jobs");
  }

  private gapRemaining(job: Job, now: number): number {
    const gap = this.options.minGapMs?.[job.kind] ?? 0;
    if (gap <= 0) return 0;
    const last = this.lastStart.get(subjectKey(job));
    return last === undefined ? 0 : last + gap - now;
  }

  /**
   * ms until a claimable due job may start (0: now — its gap ran out since the last claim);
   * null when nothing is waiting.
   */
  private gapWaitMs(): number | null {
    const now = this.options.clock.now();
    let best: number | null = null;
    for (const job of this.options.queue.peekDue(now, 50)) {
      const wait = Math.max(0, this.gapRemaining(job, now));
      if (best === null || wait < best) best = wait;
    }
    return best;
  }

  private run(job: Job, now: number): void {
    const { queue, logger } = this.options;
    this.lastStart.set(subjectKey(job), now);
    const log = logger.child({ jobId: job.id, kind: job.kind, eshopId: job.eshopId, subject: job.subject });
    const handler = this.options.handlers[job.kind];
    const ctx: JobContext = {
      assertOwned: () => {
        if (!queue.isOwned(job)) throw new LeaseLostError(`job ${job.id} was taken over after its lease expired`);
      },
    };
    const started = performance.now();
    const promise = (async () => {
      try {
        if (!handler) throw Object.assign(new Error(`no handler for job kind "${job.kind}"`), { permanent: true });
        const outcome = await handler(job, ctx);
        if (!queue.complete(job, this.options.clock.now(), outcome?.note ?? null)) {
          log.warn("job finished after its lease was taken over; its result was already fenced off");
        }
        log.debug({ ms: Math.round(performance.now() - started), coalesced: job.coalesced }, "job done");
      } catch (thrown) {
        const error = coerceError(thrown);
        if (error instanceof LeaseLostError) {
          log.warn({ err: error.message }, "job lost its lease; another claim runs it");
          return;
        }
        const failure = (error as { permanent?: boolean }).permanent
          ? { message: error.message, retryable: false, retryAfterMs: null }
          : this.classify(error);
        failure.message = redactSecrets(failure.message, this.options.secrets ?? []);
        const verdict = queue.fail(job, failure, this.options.clock.now());
        const line = `job ${job.kind} ${job.subject} failed (attempt ${job.attempts}): ${failure.message}`;
        if (verdict === "dead") log.error({ verdict }, line);
        else log.warn({ verdict }, line);
      }
    })()
      .catch((error) => log.error({ err: coerceError(error) }, "job bookkeeping failed"))
      .finally(() => {
        this.inflight.delete(job.id);
        if (this.inflight.size === 0) this.stopHeartbeat();
        this.wake();
      });
    this.inflight.set(job.id, { job, promise });
    this.startHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      try {
        this.options.queue.heartbeat(
          [...this.inflight.values()].map((f) => f.job),
          this.options.clock.now(),
          this.leaseMs,
        );
      } catch (error) {
        this.options.logger.warn({ err: coerceError(error) }, "could not extend job leases");
      }
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async settleAll(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.values()].map((f) => f.promise));
  }
}
