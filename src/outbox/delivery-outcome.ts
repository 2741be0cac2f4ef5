import type { DeliveryResult } from "../notifiers/notifier.js";
import { decide, isDead, type RetryFailure } from "../retry/decide.js";
import type { RetryPolicy } from "../retry/retry-policy.js";
import type { OutboxRow, RowAnswer } from "./outbox-store.js";

type RowState = Pick<OutboxRow, "id" | "attempts" | "maxAttempts">;

/**
 * One row's answer from `decide()` under `policy`, with the attempt limit recorded on the row;
 * a row out of attempts says so in its error.
 */
export function deliveryRowAnswer(
  policy: RetryPolicy,
  row: RowState,
  failure: RetryFailure,
  error: string,
  now: number,
  random: () => number,
): RowAnswer {
  const decision = decide({ ...policy, maxAttempts: row.maxAttempts }, row.attempts, failure, now, random);
  if (!isDead(decision)) return { id: row.id, retryAt: decision.retryAt, error };
  return { id: row.id, dead: true, error: decision.dead === "exhausted" ? `gave up after ${row.attempts} attempts: ${error}` : error };
}

export interface DeliveryOutcomeInput {
  result: DeliveryResult;
  /** The claimed rows, leader first (a group goes out as one message). */
  rows: readonly RowState[];
  policy: RetryPolicy;
  /** When the send finished. */
  now: number;
  /** The transport's pacing gap: the lane's next send is not sooner. */
  pacingMs: number;
  /** How long a transport whose authentication failed is left alone. */
  pauseMs: number;
  /** The notifier's error with secrets removed. */
  error: string;
  random: () => number;
}

export type DeliveryOutcome =
  | { kind: "sent"; laneFreeAt: number }
  /** The transport is paused until `until`; the attempt is not counted. */
  | { kind: "paused"; laneFreeAt: number; until: number; answers: RowAnswer[] }
  | { kind: "failed"; laneFreeAt: number; retryAt: number; answers: RowAnswer[] };

/**
 * What one send's result means for its rows (pure): sent; the transport paused (rows wait for the
 * pause, the attempt not counted); or failed — rows retry together at the leader's next time from
 * the retry policy (Retry-After wins when longer), or are dead (not retryable, or out of
 * attempts). The lane is paced from the end of the send, and waits out a Retry-After too.
 */
export function deliveryOutcome(input: DeliveryOutcomeInput): DeliveryOutcome {
  const { result, rows, policy, now, error } = input;
  let laneFreeAt = now + input.pacingMs;
  if (result.ok) return { kind: "sent", laneFreeAt };
  if (result.retryAfterMs) laneFreeAt = Math.max(laneFreeAt, now + result.retryAfterMs);
  if (result.pauseChannel) {
    const until = now + input.pauseMs;
    const paused = { retryable: true, backoff: false, retryAfterMs: input.pauseMs };
    const answers = rows.map((r) => deliveryRowAnswer(policy, { ...r, attempts: r.attempts - 1 }, paused, error, now, input.random));
    return { kind: "paused", laneFreeAt, until, answers };
  }
  const r = input.random();
  const leader = rows[0]!;
  const unlimited = { ...policy, maxAttempts: Number.POSITIVE_INFINITY };
  const lead = decide(unlimited, leader.attempts, { retryable: true, retryAfterMs: result.retryAfterMs }, now, () => r);
  const retryAt = isDead(lead) ? now : lead.retryAt;
  const answers = rows.map((row) => {
    const answer = deliveryRowAnswer(policy, row, { retryable: result.retryable, backoff: false }, error, now, () => r);
    return "dead" in answer ? answer : { ...answer, retryAt };
  });
  return { kind: "failed", laneFreeAt, retryAt, answers };
}
