import { describe, expect, it } from "vitest";
import { STOCK_JOB_RETRY, delayTable, isExhausted, retryDelayMs } from "../../../src/jobs/retry-policy.js";

describe("STOCK_JOB_RETRY", () => {
  it("grows by 3x from 5 s and is capped at 30 min", () => {
    expect(delayTable(STOCK_JOB_RETRY)).toEqual([5_000, 15_000, 45_000, 135_000, 405_000, 1_215_000, 1_800_000, 1_800_000, 1_800_000]);
  });

  it("jitters within ±20%", () => {
    expect(retryDelayMs(STOCK_JOB_RETRY, 1, () => 0)).toBe(4_000);
    expect(retryDelayMs(STOCK_JOB_RETRY, 1, () => 1)).toBe(6_000);
  });

  it("is exhausted after 10 attempts", () => {
    expect(isExhausted(STOCK_JOB_RETRY, 9)).toBe(false);
    expect(isExhausted(STOCK_JOB_RETRY, 10)).toBe(true);
  });
});
