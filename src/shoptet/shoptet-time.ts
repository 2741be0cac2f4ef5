/**
 * Shoptet datetimes look like `2019-01-08T15:13:39+0100`: ISO 8601 with an offset without a colon.
 * V8's Date.parse reads them; query parameters such as `changeTimeFrom` expect the same form.
 */

/** Epoch ms of a Shoptet datetime, or null when absent or unparseable. */
export function parseShoptetTimeMs(text: unknown): number | null {
  if (typeof text !== "string" || text === "") return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Formats epoch ms as a Shoptet datetime in UTC (`2024-07-01T12:01:11+0000`). */
export function formatShoptetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}
