import { describe, expect, it } from "vitest";
import {
  CURSOR_LAG_MS,
  DEFAULT_SINCE_MS,
  HISTORY_MS,
  MAX_PAGES,
  envelopeOf,
  inOrderOfEvents,
  nextCursor,
  nextPage,
  shouldRecover,
  startOfRead,
  summaryLine,
} from "../../../src/recovery/recovery-plan.js";
import { dedupeKeyOf } from "../../../src/receiver/webhook-envelope.js";
import type { WebhookNotification } from "../../../src/shoptet/webhook-notifications.js";

const NOW = Date.parse("2026-12-05T08:00:00Z");
const H = 3_600_000;

function notification(over: Partial<WebhookNotification> = {}, data: Partial<WebhookNotification["data"]> = {}): WebhookNotification {
  return {
    id: 1,
    webhookId: 7,
    event: "stock:movement",
    createdMs: NOW - H,
    attempts: 3,
    status: "failed",
    active: false,
    data: { eshopId: 222651, event: "stock:movement", eventCreated: "2026-12-05T07:00:00+0000", eventInstance: "1", ...data },
    ...over,
  };
}

describe("which notifications a pass takes", () => {
  it.each([
    ["failed", false, true],
    ["failed", true, true], // Shoptet may still retry it; the retry is then a duplicate
    ["new", false, true], // never delivered, and Shoptet stopped trying
    ["new", true, false], // queued: it may still arrive (the cursor lag reads it again later)
    ["success", false, false],
    ["success", true, false],
    ["expired", false, true], // an unknown status, given up: not delivered as far as we know
    ["expired", true, false],
  ])("status %s, active %s → %s", (status, active, taken) => {
    expect(shouldRecover({ status, active })).toBe(taken);
  });
});

describe("where a pass starts and where the next one will", () => {
  it("a first pass reads the last 24 h; --since overrides it, capped at Shoptet's 7 days", () => {
    expect(startOfRead({ now: NOW, cursorMs: null })).toBe(NOW - DEFAULT_SINCE_MS);
    expect(startOfRead({ now: NOW, cursorMs: null, sinceMs: 3 * H })).toBe(NOW - 3 * H);
    expect(startOfRead({ now: NOW, cursorMs: null, sinceMs: 30 * 24 * H })).toBe(NOW - HISTORY_MS);
  });

  it("later passes start at the cursor, unless --since asks again; a cursor older than 7 days is clamped", () => {
    expect(startOfRead({ now: NOW, cursorMs: NOW - 2 * H })).toBe(NOW - 2 * H);
    expect(startOfRead({ now: NOW, cursorMs: NOW - 2 * H, sinceMs: 48 * H })).toBe(NOW - 48 * H);
    expect(startOfRead({ now: NOW, cursorMs: NOW - 10 * 24 * H })).toBe(NOW - HISTORY_MS);
    expect(startOfRead({ now: NOW, cursorMs: NOW + H })).toBe(NOW); // a clock that went back
  });

  it("the next cursor lags an hour behind now and never moves back", () => {
    expect(nextCursor(NOW - 24 * H, NOW)).toBe(NOW - CURSOR_LAG_MS);
    expect(nextCursor(NOW - 10 * 60_000, NOW)).toBe(NOW - 10 * 60_000);
  });
});

describe("paging plan", () => {
  const p = (page: number, pageCount: number) => ({ totalCount: pageCount * 500, page, pageCount, itemsOnPage: 500, itemsPerPage: 500 });
  it("reads page after page up to pageCount", () => {
    expect(nextPage(1, p(1, 3), 500)).toBe(2);
    expect(nextPage(2, p(2, 3), 500)).toBe(3);
    expect(nextPage(3, p(3, 3), 500)).toBeNull();
  });
  it("stops on an empty page, without a paginator, and at the page guard", () => {
    expect(nextPage(1, p(1, 3), 0)).toBeNull();
    expect(nextPage(1, null, 20)).toBeNull();
    expect(nextPage(MAX_PAGES, p(MAX_PAGES, MAX_PAGES + 5), 500)).toBeNull();
  });
});

describe("the envelope a notification stands for", () => {
  it("is checked like a webhook and gets the key the live webhook would have had", () => {
    const n = notification();
    const made = envelopeOf(n, 222651);
    expect(made).toEqual({
      envelope: { eshopId: 222651, event: "stock:movement", eventCreated: "2026-12-05T07:00:00+0000", eventInstance: "1" },
      createdMs: Date.parse("2026-12-05T07:00:00Z"),
    });
    const live = { eshopId: 222651, event: "stock:movement", eventCreated: "2026-12-05T07:00:00+0000", eventInstance: "1" };
    expect(dedupeKeyOf((made as { envelope: typeof live }).envelope).equals(dedupeKeyOf(live))).toBe(true);
  });

  it("refuses a body without eventCreated, of another e-shop, or not shaped like a webhook", () => {
    expect(envelopeOf(notification({ id: 5 }, { eventCreated: null }), 222651)).toEqual({ reason: "notification 5 has no eventCreated" });
    expect(envelopeOf(notification({ id: 6 }, { eshopId: 9 }), 222651)).toEqual({ reason: "notification 6 is for e-shop 9, not 222651" });
    const bad = envelopeOf(notification({ id: 7 }, { event: "not an event" }), 222651);
    expect("reason" in bad && bad.reason).toMatch(/^notification 7: event: event must look like entity:action/);
    expect(envelopeOf(notification({ id: 8 }, { eventCreated: "2026-02-30T07:00:00+0000" }), 222651)).toEqual({
      reason: 'notification 8: eventCreated "2026-02-30T07:00:00+0000" is not a date that exists',
    });
    const notATime = envelopeOf(notification({ id: 9 }, { eventCreated: "yesterday" }), 222651);
    expect("reason" in notATime && notATime.reason).toMatch(/^notification 9: eventCreated: must be a Shoptet time/);
  });
});

describe("summary line", () => {
  it("reads as the issue asks", () => {
    expect(summaryLine({ eshopId: 222651, taken: 318, stored: 312, alreadyStored: 6, unusable: 0, ms: 4100 })).toBe(
      "recovered 312 of 318 notifications for e-shop 222651 (6 already stored) in 4.1 s",
    );
    expect(summaryLine({ eshopId: 1, taken: 3, stored: 1, alreadyStored: 1, unusable: 1, ms: 50 })).toBe(
      "recovered 1 of 3 notifications for e-shop 1 (1 already stored) in 0.1 s; 1 could not be stored (see the log)",
    );
  });
});

describe("order of storing", () => {
  it("is the order the events happened in, whatever order the log lists them in", () => {
    const list = [notification({ id: 3, createdMs: 30 }), notification({ id: 1, createdMs: 10 }), notification({ id: 4, createdMs: null }), notification({ id: 2, createdMs: 10 })];
    expect(inOrderOfEvents(list).map((n) => n.id)).toEqual([4, 1, 2, 3]);
  });
});
