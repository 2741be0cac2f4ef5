import { isExhausted, retryDelayMs, type RetryPolicy } from "./retry-policy.js";

/** What went wrong with one attempt, as far as retrying is concerned. */
export interface RetryFailure {
  /** Whether the same work may succeed later. */
  retryable: boolean;
  /** A wait the other side asked for (Retry-After); the next try is never sooner. */
  retryAfterMs?: number | null | undefined;
  /**
   * false: no backoff, retry as soon as `retryAfterMs` allows (work handed back after a crash,
   * a paused channel). The attempt limit still applies. Default true.
   */
  backoff?: boolean;
}

/** Why work is dead: the failure says retrying cannot help, or the policy's attempts are used up. */
export type DeadReason = "not-retryable" | "exhausted";

export type RetryDecision = { retryAt: number } | { dead: DeadReason };

/**
 * The one retry decision of stockwatch (stock jobs, deliveries, Shoptet calls). After `attempts`
 * attempts (counting the one that just failed) at `now`: dead when the failure is not retryable or
 * the policy's attempts are used up; otherwise the time of the next try — the policy's jittered
 * delay, or the Retry-After when that is longer. `random` is called once, only for a backoff.
 */
export function decide(
  policy: RetryPolicy,
  attempts: number,
  failure: RetryFailure,
  now: number,
  random: () => number,
): RetryDecision {
  if (!failure.retryable) return { dead: "not-retryable" };
  if (isExhausted(policy, attempts)) return { dead: "exhausted" };
  const backoff = failure.backoff === false ? 0 : retryDelayMs(policy, attempts, random());
  return { retryAt: now + Math.max(backoff, failure.retryAfterMs ?? 0) };
}

export function isDead(decision: RetryDecision): decision is { dead: DeadReason } {
  return "dead" in decision;
}
