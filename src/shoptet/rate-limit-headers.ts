/**
 * Shoptet's rate-limit signals. `Retry-After` is documented as an HTTP date
 * (`Mon, 01 Jul 2024 12:01:11 GMT`) but proxies may send delta-seconds, so both are read.
 * `X-RateLimit-Bucket-Filling: <used>/<max>` comes with every response (leaky bucket, 10 drops/s).
 */

/** Milliseconds to wait from `now`, or null when the header is missing or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return null;
  return Math.max(0, at - now);
}

export interface BucketFilling {
  used: number;
  max: number;
}

export function parseBucketFilling(header: string | null | undefined): BucketFilling | null {
  if (!header) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(header);
  if (!match) return null;
  const used = Number(match[1]);
  const max = Number(match[2]);
  return max > 0 ? { used, max } : null;
}

/** Shoptet's bucket leaks 10 drops per second. */
export const BUCKET_LEAK_PER_SECOND = 10;

/**
 * How long to hold back the next request so the bucket drains to `threshold` (a fraction of max).
 * Zero while below it: the client spends the budget freely and slows only near the top.
 */
export function bucketPauseMs(filling: BucketFilling, threshold: number): number {
  const excess = filling.used - filling.max * threshold;
  if (excess <= 0) return 0;
  return Math.ceil((excess / BUCKET_LEAK_PER_SECOND) * 1000);
}
