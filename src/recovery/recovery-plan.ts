import { describeEnvelopeError, eventTimeMs, webhookEnvelope, type WebhookEnvelope } from "../receiver/webhook-envelope.js";
import type { Paginator } from "../shoptet/shoptet-types.js";
import type { NotificationQuery, WebhookNotification } from "../shoptet/webhook-notifications.js";

/**
 * The decisions of a recovery pass, as pure functions: which notifications to take, where the read
 * starts, which page comes next, and where the next pass starts. No clock, no I/O.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Shoptet keeps 7 days of notifications: asking for older ones returns nothing. */
export const HISTORY_MS = 7 * DAY;
/** The first pass of an e-shop (no cursor yet) reads this far back unless told otherwise. */
export const DEFAULT_SINCE_MS = DAY;
/**
 * How far behind "now" the cursor stays. A notification still `new` (queued, not yet attempted)
 * is not taken, but may turn `failed` minutes later; reading the last hour again on every pass
 * picks it up then (Shoptet's three attempts span about 30 minutes). Re-read ones are already
 * stored, and are counted as such.
 */
export const CURSOR_LAG_MS = HOUR;
/** A guard against a paginator that never ends: 200 pages of 500 = 100,000 notifications per query. */
export const MAX_PAGES = 200;

/**
 * The two reads of a pass: every `failed` notification (active ones too: Shoptet may still retry
 * them, and the retry is then a duplicate), and those never delivered that Shoptet stopped trying
 * (`new` and no longer active). `success` ones were delivered and are never read.
 */
export const RECOVERY_QUERIES: readonly Pick<NotificationQuery, "status" | "active">[] = [
  { status: "failed" },
  { status: "new", active: false },
];

/** True for a notification the receiver may never have seen: failed, or given up without success. */
export function shouldRecover(n: Pick<WebhookNotification, "status" | "active">): boolean {
  if (n.status === "failed") return true;
  return n.status !== "success" && !n.active;
}

/**
 * Where a pass starts reading (epoch ms). An explicit `--since` wins (the operator asks to look
 * again); otherwise the stored cursor; a first pass reads `DEFAULT_SINCE_MS`. Never older than
 * Shoptet's 7 days of history.
 */
export function startOfRead(input: { now: number; cursorMs: number | null; sinceMs?: number | undefined }): number {
  const oldest = input.now - HISTORY_MS;
  const from =
    input.sinceMs !== undefined ? input.now - input.sinceMs : input.cursorMs !== null ? input.cursorMs : input.now - DEFAULT_SINCE_MS;
  return Math.max(oldest, Math.min(from, input.now));
}

/**
 * Where the next pass starts after a complete one that began at `fromMs`: everything created
 * before `now - CURSOR_LAG_MS` has been read in a final state. Never moves back.
 */
export function nextCursor(fromMs: number, now: number, lagMs = CURSOR_LAG_MS): number {
  return Math.max(fromMs, now - lagMs);
}

/** The page to read after `page`, or null when the query has been read to its end. */
export function nextPage(page: number, paginator: Paginator | null, itemsOnPage: number): number | null {
  if (itemsOnPage === 0 || page >= MAX_PAGES) return null;
  if (paginator === null) return null; // no paginator: a single page
  return page < paginator.pageCount ? page + 1 : null;
}

/**
 * Oldest event first (Shoptet lists the log in an undocumented order): stored in this order, the
 * recovered events reach the event rules and the stock worker in the order they happened.
 */
export function inOrderOfEvents<T extends Pick<WebhookNotification, "id" | "createdMs">>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.createdMs ?? 0) - (b.createdMs ?? 0) || a.id - b.id);
}

/** A notification turned into the envelope the receiver would have stored, or why it cannot be. */
export type EnvelopeOrReason = { envelope: WebhookEnvelope; createdMs: number } | { reason: string };

/**
 * The body Shoptet would have delivered, checked exactly as the receiver checks a webhook, so a
 * recovered event gets the same dedupe key as the webhook would have. A body of another e-shop
 * (not the one whose token read the log) is refused rather than stored under the wrong shop.
 */
export function envelopeOf(n: WebhookNotification, eshopId: number): EnvelopeOrReason {
  if (n.data.eshopId !== eshopId) return { reason: `notification ${n.id} is for e-shop ${n.data.eshopId}, not ${eshopId}` };
  if (n.data.eventCreated === null) return { reason: `notification ${n.id} has no eventCreated` };
  const parsed = webhookEnvelope.safeParse({
    eshopId: n.data.eshopId,
    event: n.data.event,
    eventCreated: n.data.eventCreated,
    eventInstance: n.data.eventInstance,
  });
  if (!parsed.success) return { reason: `notification ${n.id}: ${describeEnvelopeError(parsed.error)}` };
  const createdMs = eventTimeMs(parsed.data.eventCreated);
  if (createdMs === null) return { reason: `notification ${n.id}: eventCreated "${parsed.data.eventCreated}" is not a date that exists` };
  return { envelope: parsed.data, createdMs };
}

/** The CLI's and the log's one line, e.g. `recovered 312 of 318 notifications for e-shop 222651 (6 already stored) in 4.1 s`. */
export function summaryLine(r: { eshopId: number; taken: number; stored: number; alreadyStored: number; unusable: number; ms: number }): string {
  const unusable = r.unusable ? `; ${r.unusable} could not be stored (see the log)` : "";
  return `recovered ${r.stored} of ${r.taken} notifications for e-shop ${r.eshopId} (${r.alreadyStored} already stored) in ${(r.ms / 1000).toFixed(1)} s${unusable}`;
}
