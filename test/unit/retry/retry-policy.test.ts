import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  baseDelayMs,
  DELIVERY_RETRY,
  isExhausted,
  retryDelayMs,
  SHOPTET_CALL_RETRY,
  STOCK_JOB_RETRY,
} from "../../../src/retry/retry-policy.js";
import { delayTable, retryTableMarkdown } from "../../../src/retry/retry-table.js";

describe("STOCK_JOB_RETRY", () => {
  it("grows by 3x from 5 s and is capped at 30 min", () => {
    expect(delayTable(STOCK_JOB_RETRY)).toEqual([5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  it("jitters within ±20%", () => {
    expect(retryDelayMs(STOCK_JOB_RETRY, 1, 0)).toBe(4_000);
    expect(retryDelayMs(STOCK_JOB_RETRY, 1, 1)).toBe(6_000);
  });

  it("is exhausted after 10 attempts", () => {
    expect(isExhausted(STOCK_JOB_RETRY, 9)).toBe(false);
    expect(isExhausted(STOCK_JOB_RETRY, 10)).toBe(true);
  });
});

describe("DELIVERY_RETRY", () => {
  it("doubles from 10 s and stops growing at 1 h", () => {
    expect([1, 2, 3, 4].map((a) => baseDelayMs(DELIVERY_RETRY, a))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(baseDelayMs(DELIVERY_RETRY, 9)).toBe(2_560_000);
    expect(baseDelayMs(DELIVERY_RETRY, 10)).toBe(3_600_000);
    expect(baseDelayMs(DELIVERY_RETRY, 14)).toBe(3_600_000);
  });

  it("keeps jitter within ±20 % and never past the cap plus jitter", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const base = baseDelayMs(DELIVERY_RETRY, attempt);
        const d = retryDelayMs(DELIVERY_RETRY, attempt, r);
        return d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2) && d <= DELIVERY_RETRY.maxDelayMs * 1.2;
      }),
    );
  });

  it("is exact with random 0.5", () => {
    expect(retryDelayMs(DELIVERY_RETRY, 1, 0.5)).toBe(10_000);
  });

  it("gives up after maxAttempts", () => {
    expect(isExhausted(DELIVERY_RETRY, 19)).toBe(false);
    expect(isExhausted(DELIVERY_RETRY, 20)).toBe(true);
  });

  it("renders the README table with one row per retry and the dead row", () => {
    const table = retryTableMarkdown(DELIVERY_RETRY);
    const rows = table.split("\n");
    expect(rows).toHaveLength(2 + DELIVERY_RETRY.maxAttempts);
    expect(rows[2]).toContain("| 1 | 10 s (8 s – 12 s) | 10 s |");
    expect(rows.at(-1)).toContain("dead");
    // The whole schedule covers an overnight outage.
    expect(rows.at(-2)).toMatch(/\| 11\.\d h \|$/);
  });
});

describe("SHOPTET_CALL_RETRY", () => {
  it("uses equal jitter: between half the step and the whole step, doubling from 500 ms to 8 s", () => {
    expect([1, 2, 3].map((a) => retryDelayMs(SHOPTET_CALL_RETRY, a, 0))).toEqual([250, 500, 1000]);
    expect([1, 2, 3].map((a) => retryDelayMs(SHOPTET_CALL_RETRY, a, 0.5))).toEqual([375, 750, 1500]);
    expect(retryDelayMs(SHOPTET_CALL_RETRY, 10, 1)).toBe(8_000);
    expect(isExhausted(SHOPTET_CALL_RETRY, 3)).toBe(false);
    expect(isExhausted(SHOPTET_CALL_RETRY, 4)).toBe(true);
  });
});
