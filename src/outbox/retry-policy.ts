/**
 * RetryPolicy is how long the delivery worker waits before trying a failed delivery again:
 * capped exponential backoff with jitter, and a limit after which a delivery is dead.
 */
export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  baseMs: number;
  /** Each further failure multiplies the delay by this. */
  factor: number;
  /** The delay never grows past this (before jitter). */
  maxDelayMs: number;
  /** A delivery that has failed this many attempts is dead. */
  maxAttempts: number;
  /** Fraction of the delay added or removed at random (0.2 = ±20 %), so retries of many rows spread out. */
  jitter: number;
}

/**
 * DELIVERY_RETRY is the one retry policy of the outbox. With these numbers a delivery is tried 20
 * times over about 11 hours (a Slack or SMTP outage overnight loses nothing) before it is dead;
 * dead deliveries stay visible and can be retried from the CLI.
 */
export const DELIVERY_RETRY: RetryPolicy = Object.freeze({
  baseMs: 10_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  maxAttempts: 20,
  jitter: 0.2,
});

/** Delay before the attempt that follows failed attempt number `attempt` (1-based), without jitter. */
export function baseDelayMs(attempt: number, policy: RetryPolicy = DELIVERY_RETRY): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxDelayMs, policy.baseMs * policy.factor ** (n - 1));
}

/**
 * Delay before the next attempt after failed attempt `attempt`, with jitter; `random` is in [0, 1).
 * A server's Retry-After wins when it asks for longer.
 */
export function retryDelayMs(
  attempt: number,
  random: number,
  policy: RetryPolicy = DELIVERY_RETRY,
  retryAfterMs?: number,
): number {
  const base = baseDelayMs(attempt, policy);
  const r = Math.min(Math.max(random, 0), 1);
  const jittered = Math.round(base * (1 + policy.jitter * (2 * r - 1)));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Time (epoch ms) of the next attempt after failed attempt `attempt` at `now`. */
export function nextAttemptAt(
  attempt: number,
  now: number,
  random: number,
  policy: RetryPolicy = DELIVERY_RETRY,
  retryAfterMs?: number,
): number {
  return now + retryDelayMs(attempt, random, policy, retryAfterMs);
}

/** True when a delivery that has made `attempts` attempts may not be tried again. */
export function isExhausted(attempts: number, policy: RetryPolicy = DELIVERY_RETRY): boolean {
  return attempts >= policy.maxAttempts;
}

function human(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 6_000) / 10} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}

/** The policy's delay table as markdown, for the README (generated, so it cannot drift). */
export function retryTableMarkdown(policy: RetryPolicy = DELIVERY_RETRY): string {
  const lines = [
    "| failed attempt | next attempt after (±" + Math.round(policy.jitter * 100) + " % jitter) | time since first attempt (no jitter) |",
    "| --- | --- | --- |",
  ];
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
    const d = baseDelayMs(attempt, policy);
    total += d;
    const lo = Math.round(d * (1 - policy.jitter));
    const hi = Math.round(d * (1 + policy.jitter));
    lines.push(`| ${attempt} | ${human(d)} (${human(lo)} – ${human(hi)}) | ${human(total)} |`);
  }
  lines.push(`| ${policy.maxAttempts} | dead (visible in \`stockwatch deliveries list --status dead\`, retryable) | |`);
  return lines.join("\n");
}
