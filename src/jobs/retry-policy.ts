/**
 * RetryPolicy is a named, capped exponential backoff: attempt n waits
 * min(maxDelayMs, baseMs × factor^(n−1)), jittered by ±jitter, and after maxAttempts the job is
 * dead (kept with its last error, retryable by hand).
 */
export interface RetryPolicy {
  name: string;
  baseMs: number;
  factor: number;
  maxDelayMs: number;
  maxAttempts: number;
  /** Fraction of the delay randomised either way, so jobs that failed together spread out. */
  jitter: number;
}

/**
 * STOCK_JOB_RETRY applies to every stock job (movement reads, product checks, refreshes).
 * Without jitter: 5 s, 15 s, 45 s, 2m15s, 6m45s, 20m15s, then 30 min (cap) — 10 attempts over
 * about 2.5 hours, longer than a Shoptet maintenance window; Shoptet's own `Retry-After` wins
 * when it asks for more.
 */
export const STOCK_JOB_RETRY: RetryPolicy = {
  name: "stock-job",
  baseMs: 5_000,
  factor: 3,
  maxDelayMs: 30 * 60_000,
  maxAttempts: 10,
  jitter: 0.2,
};

/** Delay before the next try after `attempt` failed attempts (1 = the first try failed). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const raw = Math.min(policy.maxDelayMs, policy.baseMs * policy.factor ** Math.max(0, attempt - 1));
  const spread = raw * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(raw + spread));
}

/** True when a job that has made `attempts` attempts may not try again. */
export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}

/** The un-jittered delay table, for documentation and `--help` output. */
export function delayTable(policy: RetryPolicy): number[] {
  const out: number[] = [];
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) out.push(retryDelayMs(policy, attempt, () => 0.5));
  return out;
}
