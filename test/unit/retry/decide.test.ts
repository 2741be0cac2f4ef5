import { describe, expect, it } from "vitest";
import { decide, type RetryDecision, type RetryFailure } from "../../../src/retry/decide.js";
import { DELIVERY_RETRY, SHOPTET_CALL_RETRY, STOCK_JOB_RETRY, type RetryPolicy } from "../../../src/retry/retry-policy.js";

const NOW = 1_000_000;
const TEST: RetryPolicy = { name: "test", baseMs: 1000, factor: 2, maxDelayMs: 60_000, maxAttempts: 3, jitter: 0 };
const retryable: RetryFailure = { retryable: true };

describe("decide", () => {
  const table: [string, RetryPolicy, number, RetryFailure, number, RetryDecision][] = [
    // name, policy, attempts, failure, random, decision
    ["first failure waits the base delay", TEST, 1, retryable, 0.5, { retryAt: NOW + 1000 }],
    ["second failure doubles it", TEST, 2, retryable, 0.5, { retryAt: NOW + 2000 }],
    ["out of attempts is dead", TEST, 3, retryable, 0.5, { dead: "exhausted" }],
    ["past the limit is dead too", TEST, 7, retryable, 0.5, { dead: "exhausted" }],
    ["not retryable is dead at once", TEST, 1, { retryable: false }, 0.5, { dead: "not-retryable" }],
    ["not retryable wins over exhausted", TEST, 3, { retryable: false }, 0.5, { dead: "not-retryable" }],
    ["a longer Retry-After wins", TEST, 1, { retryable: true, retryAfterMs: 30_000 }, 0.5, { retryAt: NOW + 30_000 }],
    ["a shorter Retry-After does not", TEST, 2, { retryable: true, retryAfterMs: 500 }, 0.5, { retryAt: NOW + 2000 }],
    ["null Retry-After is no Retry-After", TEST, 1, { retryable: true, retryAfterMs: null }, 0.5, { retryAt: NOW + 1000 }],
    ["no backoff: at once", TEST, 1, { retryable: true, backoff: false }, 0.5, { retryAt: NOW }],
    ["no backoff: Retry-After still holds", TEST, 1, { retryable: true, backoff: false, retryAfterMs: 300_000 }, 0.5, { retryAt: NOW + 300_000 }],
    ["no backoff: the attempt limit still holds", TEST, 3, { retryable: true, backoff: false }, 0.5, { dead: "exhausted" }],
    ["stock job: 5 s −20 % jitter", STOCK_JOB_RETRY, 1, retryable, 0, { retryAt: NOW + 4_000 }],
    ["stock job: capped at 30 min +20 %", STOCK_JOB_RETRY, 9, retryable, 1, { retryAt: NOW + 2_160_000 }],
    ["stock job: dead after 10", STOCK_JOB_RETRY, 10, retryable, 0.5, { dead: "exhausted" }],
    ["delivery: 10 s", DELIVERY_RETRY, 1, retryable, 0.5, { retryAt: NOW + 10_000 }],
    ["delivery: capped at 1 h", DELIVERY_RETRY, 19, retryable, 0.5, { retryAt: NOW + 3_600_000 }],
    ["delivery: dead after 20", DELIVERY_RETRY, 20, retryable, 0.5, { dead: "exhausted" }],
    ["delivery: Retry-After wins only when longer", DELIVERY_RETRY, 1, { retryable: true, retryAfterMs: 2000 }, 0.5, { retryAt: NOW + 10_000 }],
    ["delivery: a 30 s Retry-After wins", DELIVERY_RETRY, 1, { retryable: true, retryAfterMs: 30_000 }, 0.5, { retryAt: NOW + 30_000 }],
    ["delivery at 100 ms: a 2 s Retry-After wins", { ...DELIVERY_RETRY, baseMs: 100 }, 1, { retryable: true, retryAfterMs: 2000 }, 0.5, { retryAt: NOW + 2000 }],
    ["Shoptet call: equal jitter, at least half the step", SHOPTET_CALL_RETRY, 1, retryable, 0, { retryAt: NOW + 250 }],
    ["Shoptet call: at most the step", SHOPTET_CALL_RETRY, 3, retryable, 1, { retryAt: NOW + 2000 }],
    ["Shoptet call: dead after 4", SHOPTET_CALL_RETRY, 4, retryable, 0.5, { dead: "exhausted" }],
  ];

  it.each(table)("%s", (_name, policy, attempts, failure, r, expected) => {
    expect(decide(policy, attempts, failure, NOW, () => r)).toEqual(expected);
  });

  it("draws a random number only for a backoff", () => {
    let draws = 0;
    const random = () => (draws++, 0.5);
    decide(TEST, 1, { retryable: false }, NOW, random);
    decide(TEST, 3, retryable, NOW, random);
    decide(TEST, 1, { retryable: true, backoff: false }, NOW, random);
    expect(draws).toBe(0);
    decide(TEST, 1, retryable, NOW, random);
    expect(draws).toBe(1);
  });
});
