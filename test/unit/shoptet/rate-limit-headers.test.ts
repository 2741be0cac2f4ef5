import { describe, expect, it } from "vitest";
import { bucketPauseMs, parseBucketFilling, parseRetryAfter } from "../../../src/shoptet/rate-limit-headers.js";
import { formatShoptetTime, parseShoptetTimeMs } from "../../../src/shoptet/shoptet-time.js";

describe("Retry-After", () => {
  const now = Date.parse("2024-07-01T12:01:00Z");

  it("reads an HTTP date, as Shoptet sends it", () => {
    expect(parseRetryAfter("Mon, 01 Jul 2024 12:01:11 GMT", now)).toBe(11_000);
  });

  it("reads delta seconds", () => {
    expect(parseRetryAfter("7", now)).toBe(7000);
  });

  it("never asks for a negative wait, and ignores garbage", () => {
    expect(parseRetryAfter("Mon, 01 Jul 2024 12:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("X-RateLimit-Bucket-Filling", () => {
  it("parses used/max", () => {
    expect(parseBucketFilling("200/200")).toEqual({ used: 200, max: 200 });
    expect(parseBucketFilling("nope")).toBeNull();
  });

  it("pauses only above the threshold, long enough to drain back to it at 10 drops/s", () => {
    expect(bucketPauseMs({ used: 150, max: 200 }, 0.75)).toBe(0);
    expect(bucketPauseMs({ used: 170, max: 200 }, 0.75)).toBe(2000);
    expect(bucketPauseMs({ used: 200, max: 200 }, 0.75)).toBe(5000);
  });
});

describe("Shoptet datetimes", () => {
  it("reads offsets without a colon and writes them the same way", () => {
    expect(parseShoptetTimeMs("2019-01-08T15:13:39+0100")).toBe(Date.parse("2019-01-08T14:13:39Z"));
    expect(formatShoptetTime(Date.parse("2024-07-01T12:01:11.500Z"))).toBe("2024-07-01T12:01:11+0000");
    expect(parseShoptetTimeMs(null)).toBeNull();
  });
});
