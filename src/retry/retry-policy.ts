/**
 * RetryPolicy is a named, capped exponential backoff: after failed attempt n the next try waits
 * min(maxDelayMs, baseMs × factor^(n−1)), jittered, and after maxAttempts attempts the work is
 * dead (kept with its last error, retryable by hand). The three policies of stockwatch are below;
 * `decide()` (decide.ts) is the one place that applies them.
 */
export interface RetryPolicy {
  name: string;
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Each further failure multiplies the delay by this. */
  factor: number;
  /** The delay never grows past this (before jitter). */
  maxDelayMs: number;
  /** Work that has made this many attempts is dead. */
  maxAttempts: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %), so work that failed together spreads out. */
  jitter: number;
  /**
   * "spread" (default): the delay × (1 ± jitter). "equal": anywhere from half the delay to the
   * whole delay (jitter is not used), so parallel callers spread out but still back off.
   */
  jitterMode?: "spread" | "equal";
}

/**
 * STOCK_JOB_RETRY applies to every stock job (movement reads, product checks, refreshes).
 * Without jitter: 5 s, 15 s, 45 s, 2m15s, 6m45s, 20m15s, then 30 min (cap) — 10 attempts over
 * about 2.5 hours, longer than a Shoptet maintenance window; Shoptet's own `Retry-After` wins
 * when it asks for more.
 */
export const STOCK_JOB_RETRY: RetryPolicy = Object.freeze({
  name: "stock-job",
  baseMs: 5_000,
  factor: 3,
  maxDelayMs: 30 * 60_000,
  maxAttempts: 10,
  jitter: 0.2,
});

/**
 * DELIVERY_RETRY is the one retry policy of the outbox. With these numbers a delivery is tried 20
 * times over about 11 hours (a Slack or SMTP outage overnight loses nothing) before it is dead;
 * dead deliveries stay visible and can be retried from the CLI.
 */
export const DELIVERY_RETRY: RetryPolicy = Object.freeze({
  name: "delivery",
  baseMs: 10_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  maxAttempts: 20,
  jitter: 0.2,
});

/**
 * SHOPTET_CALL_RETRY is how often one Shoptet API call is repeated inside the client before it
 * fails to its caller (a stock job, which then retries by STOCK_JOB_RETRY): 4 attempts, waits of
 * 0.25–0.5 s, 0.5–1 s, 1–2 s (equal jitter). The client's options may change base, cap and attempts.
 */
export const SHOPTET_CALL_RETRY: RetryPolicy = Object.freeze({
  name: "shoptet-call",
  baseMs: 500,
  factor: 2,
  maxDelayMs: 8_000,
  maxAttempts: 4,
  jitter: 0.5,
  jitterMode: "equal",
});

/** Delay before the next try after failed attempt `attempt` (1-based), without jitter. */
export function baseDelayMs(policy: RetryPolicy, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxDelayMs, policy.baseMs * policy.factor ** (n - 1));
}

/** Delay before the next try after failed attempt `attempt`, jittered; `random` is in [0, 1). */
export function retryDelayMs(policy: RetryPolicy, attempt: number, random: number): number {
  const base = baseDelayMs(policy, attempt);
  const r = Math.min(Math.max(random, 0), 1);
  if (policy.jitterMode === "equal") return Math.round(base / 2 + (r * base) / 2);
  return Math.max(0, Math.round(base * (1 + policy.jitter * (2 * r - 1))));
}

/** True when work that has made `attempts` attempts may not try again. */
export function isExhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}
