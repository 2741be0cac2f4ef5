import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  baseDelayMs,
  DELIVERY_RETRY,
  isExhausted,
  nextAttemptAt,
  retryDelayMs,
  retryTableMarkdown,
} from "../../../src/outbox/retry-policy.js";

describe("DELIVERY_RETRY", () => {
  it("doubles from 10 s and stops growing at 1 h", () => {
    expect([1, 2, 3, 4].map((a) => baseDelayMs(a))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(baseDelayMs(9)).toBe(2_560_000);
    expect(baseDelayMs(10)).toBe(3_600_000);
    expect(baseDelayMs(14)).toBe(3_600_000);
  });

  it("keeps jitter within ±20 % and never past the cap plus jitter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const base = baseDelayMs(attempt);
        const d = retryDelayMs(attempt, r);
        return d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2) && d <= DELIVERY_RETRY.maxDelayMs * 1.2;
      }),
    );
  });

  it("is exact with random 0.5, and lets Retry-After win only when it asks for longer", () => {
    expect(nextAttemptAt(1, 1000, 0.5)).toBe(11_000);
    expect(retryDelayMs(1, 0.5, DELIVERY_RETRY, 2000)).toBe(10_000);
    expect(retryDelayMs(1, 0.5, DELIVERY_RETRY, 30_000)).toBe(30_000);
    const fast = { ...DELIVERY_RETRY, baseMs: 100 };
    expect(nextAttemptAt(1, 0, 0.5, fast, 2000)).toBe(2000);
  });

  it("gives up after maxAttempts", () => {
    expect(isExhausted(19)).toBe(false);
    expect(isExhausted(20)).toBe(true);
  });

  it("renders the README table with one row per retry and the dead row", () => {
    const table = retryTableMarkdown();
    const rows = table.split("\n");
    expect(rows).toHaveLength(2 + DELIVERY_RETRY.maxAttempts);
    expect(rows[2]).toContain("| 1 | 10 s (8 s – 12 s) | 10 s |");
    expect(rows.at(-1)).toContain("dead");
    // The whole schedule covers an overnight outage.
    expect(rows.at(-2)).toMatch(/\| 11\.\d h \|$/);
  });
});
