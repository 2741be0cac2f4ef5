import { describe, expect, it } from "vitest";
import type { DeliveryResult } from "../../../src/notifiers/notifier.js";
import { deliveryOutcome, type DeliveryOutcome } from "../../../src/outbox/delivery-outcome.js";
import { DELIVERY_RETRY } from "../../../src/retry/retry-policy.js";

const NOW = 1_000_000;
const fail = (over: Partial<Extract<DeliveryResult, { ok: false }>> = {}): DeliveryResult => ({
  ok: false,
  retryable: true,
  reason: "http_500",
  error: "HTTP 500",
  ...over,
});
const row = (id: number, attempts: number, maxAttempts = 20) => ({ id, attempts, maxAttempts });

describe("deliveryOutcome", () => {
  const table: [string, DeliveryResult, ReturnType<typeof row>[], DeliveryOutcome][] = [
    ["sent: the lane is paced from the end of the send", { ok: true, ref: "C1" }, [row(1, 1)], { kind: "sent", laneFreeAt: NOW + 1000 }],
    [
      "retryable: retry after the policy's delay",
      fail(),
      [row(1, 1)],
      { kind: "failed", laneFreeAt: NOW + 1000, retryAt: NOW + 10_000, answers: [{ id: 1, retryAt: NOW + 10_000, error: "HTTP 500" }] },
    ],
    [
      "Retry-After: wins when longer, and holds the lane",
      fail({ retryAfterMs: 30_000 }),
      [row(1, 1)],
      { kind: "failed", laneFreeAt: NOW + 30_000, retryAt: NOW + 30_000, answers: [{ id: 1, retryAt: NOW + 30_000, error: "HTTP 500" }] },
    ],
    [
      "not retryable: every row dead at once",
      fail({ retryable: false, error: "channel_not_found" }),
      [row(1, 1), row(2, 1)],
      {
        kind: "failed",
        laneFreeAt: NOW + 1000,
        retryAt: NOW + 10_000,
        answers: [
          { id: 1, dead: true, error: "channel_not_found" },
          { id: 2, dead: true, error: "channel_not_found" },
        ],
      },
    ],
    [
      "a group retries together at the leader's time; a row out of attempts is dead",
      fail(),
      [row(1, 3), row(2, 20), row(3, 1)],
      {
        kind: "failed",
        laneFreeAt: NOW + 1000,
        retryAt: NOW + 40_000,
        answers: [
          { id: 1, retryAt: NOW + 40_000, error: "HTTP 500" },
          { id: 2, dead: true, error: "gave up after 20 attempts: HTTP 500" },
          { id: 3, retryAt: NOW + 40_000, error: "HTTP 500" },
        ],
      },
    ],
    [
      "the attempt limit is the row's own",
      fail(),
      [row(1, 3, 3)],
      { kind: "failed", laneFreeAt: NOW + 1000, retryAt: NOW + 40_000, answers: [{ id: 1, dead: true, error: "gave up after 3 attempts: HTTP 500" }] },
    ],
    [
      "paused channel: rows wait out the pause, the attempt is not counted",
      fail({ pauseChannel: true, retryable: true, error: "auth" }),
      [row(1, 1), row(2, 5)],
      {
        kind: "paused",
        laneFreeAt: NOW + 1000,
        until: NOW + 300_000,
        answers: [
          { id: 1, retryAt: NOW + 300_000, error: "auth" },
          { id: 2, retryAt: NOW + 300_000, error: "auth" },
        ],
      },
    ],
  ];

  it.each(table)("%s", (_name, result, rows, expected) => {
    const outcome = deliveryOutcome({
      result,
      rows,
      policy: DELIVERY_RETRY,
      now: NOW,
      pacingMs: 1000,
      pauseMs: 300_000,
      error: result.ok ? "" : result.error,
      random: () => 0.5,
    });
    expect(outcome).toEqual(expected);
  });
});
