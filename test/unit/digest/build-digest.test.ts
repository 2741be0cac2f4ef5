import { describe, expect, it } from "vitest";
import { buildDigest } from "../../../src/digest/build-digest.js";
import { formatChange, formatDuration } from "../../../src/digest/digest-format.js";
import type { DigestModel } from "../../../src/digest/digest-types.js";
import { isEmptyDigest } from "../../../src/digest/gather-digest.js";
import { textBar } from "../../../src/digest/render-digest-text.js";

const FROM = Date.parse("2026-11-26T06:00:00Z");
const TO = Date.parse("2026-11-27T06:00:00Z");

function model(overrides: Partial<DigestModel> = {}): DigestModel {
  return {
    digest: "morning",
    timezone: "Europe/Prague",
    period: { from: FROM, to: TO },
    previousPeriod: { from: FROM - 86_400_000, to: FROM },
    builtAt: TO,
    scope: { eshops: null, products: null },
    sections: ["soldOut", "low", "backInStock", "topMovers", "alerts", "events", "deliveries"],
    soldOut: {
      count: 3,
      rows: [
        { eshopId: 1, code: "KAV-1", name: "Colombia <250 g>", since: TO - 26 * 3_600_000 },
        { eshopId: 1, code: "KAV-2", name: null, since: TO - 90 * 60_000 },
        { eshopId: 1, code: "KAV-3", name: "Kenya", since: TO - 5 * 60_000 },
      ],
    },
    low: { count: 1, rows: [{ eshopId: 1, code: "CAJ-7", name: "Sencha", quantity: 3, minStockSupply: 10, since: TO - 3_600_000 }] },
    backInStock: { count: 1, rows: [{ eshopId: 1, code: "KAV-9", name: "Brazil", at: FROM + 3_600_000, outForMs: 31 * 3_600_000, quantity: 40 }] },
    topMovers: {
      count: 2,
      rows: [
        { eshopId: 1, code: "OK-1", name: "Mug", outflow: 30, inflow: 0, movements: 3, quantityNow: 120 },
        { eshopId: 1, code: "KAV-1", name: "Colombia", outflow: 15, inflow: 0, movements: 2, quantityNow: 0 },
      ],
    },
    alerts: { opened: 4, resolved: 1, rows: [{ rule: "sold-out", severity: "critical", opened: 4, resolved: 1, openNow: 3, examples: ["KAV-1"] }] },
    events: {
      total: 7,
      previousTotal: 4,
      rows: [
        { event: "order:create", count: 5, previous: 4 },
        { event: "order:cancel", count: 2, previous: 0 },
      ],
    },
    deliveries: { count: 0, deadNow: 0, rows: [] },
    ...overrides,
  };
}

describe("buildDigest", () => {
  it("puts the headline and the day in the subject", () => {
    expect(buildDigest(model()).subject).toBe("3 sold out, 1 low — morning digest, 27 Nov");
    expect(buildDigest(model({ digest: "weekly-digest" })).subject).toBe("3 sold out, 1 low — weekly-digest, 27 Nov");
  });

  it("names failed deliveries in the subject, and falls back to what happened when stock sections are off", () => {
    const dead = model({ deliveries: { count: 2, deadNow: 5, rows: [] } });
    expect(buildDigest(dead).subject).toBe("3 sold out, 1 low, 2 failed deliveries — morning digest, 27 Nov");
    const onlyEvents = model({
      sections: ["events", "deliveries"],
      soldOut: undefined,
      low: undefined,
      backInStock: undefined,
      topMovers: undefined,
      alerts: undefined,
    });
    expect(buildDigest(onlyEvents).subject).toBe("7 events — morning digest, 27 Nov");
  });

  it("says the same things in the text and the HTML part", () => {
    const { text, html } = buildDigest(model());
    for (const part of [text, html]) {
      expect(part).toContain("KAV-1");
      expect(part).toContain("CAJ-7");
      expect(part).toContain("KAV-9");
      expect(part).toContain("1 d 2 h"); // KAV-1 out for 26 h
      expect(part).toContain("1 d 7 h"); // KAV-9 was out
      expect(part).toContain("sold-out");
      expect(part).toContain("order:cancel");
      expect(part).toContain("Thu 26 Nov 07:00 – Fri 27 Nov 07:00");
    }
    expect(text).toContain("SOLD OUT NOW: 3");
    expect(text).toMatch(/CAJ-7 Sencha\s+3\s+10/);
    expect(text).toMatch(/order created \(order:create\)\s+5\s+4\s+▲ 1 \(\+25%\)/);
  });

  it("escapes shop data in the HTML and uses no scripts, remote images or style blocks", () => {
    const { html, text } = buildDigest(model());
    expect(html).toContain("Colombia &lt;250 g&gt;");
    expect(html).not.toContain("<250 g>");
    expect(text).toContain("Colombia <250 g>");
    expect(html).not.toMatch(/<script|<img|<link|<style|url\(|https?:\/\//i);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
  });

  it("draws a bar per mover in proportion to the biggest outflow", () => {
    const { html, text } = buildDigest(model());
    expect(html).toContain('width="140" height="10" bgcolor="#e04f39"'); // the biggest: full width
    expect(html).toContain('width="70" height="10" bgcolor="#e04f39"'); // half of it
    expect(text).toContain(textBar(1));
    expect(text).toContain(textBar(0.5));
    expect(textBar(1)).toBe("████████████████");
    expect(textBar(0.5)).toBe("████████");
    expect(textBar(0.001)).toBe("▏");
  });

  it("says so when a section has nothing, and leaves out sections that were not selected", () => {
    const quiet = model({
      sections: ["soldOut", "events", "deliveries"],
      soldOut: { count: 0, rows: [] },
      low: undefined,
      backInStock: undefined,
      topMovers: undefined,
      alerts: undefined,
      events: { total: 0, previousTotal: 0, rows: [] },
    });
    const { text, html, subject } = buildDigest(quiet);
    expect(subject).toBe("0 sold out — morning digest, 27 Nov");
    expect(text).toContain("Nothing is sold out.");
    expect(html).toContain("Nothing is sold out.");
    expect(text).not.toContain("LOW NOW");
    expect(text).not.toContain("BIGGEST MOVERS");
    expect(text).not.toContain("DELIVERY PROBLEMS");
  });

  it("shows delivery problems with the way to retry them", () => {
    const { text, html } = buildDigest(
      model({
        deliveries: {
          count: 1,
          deadNow: 3,
          rows: [{ id: 7, channel: "managers", kind: "alert", summary: "Sold out: KAV-1", attempts: 8, lastError: "550 mailbox unavailable", at: FROM + 60_000 }],
        },
      }),
    );
    for (const part of [text, html]) {
      expect(part).toContain("550 mailbox unavailable");
      expect(part).toContain("3 deliveries dead in all");
      expect(part).toContain("stockwatch deliveries retry --all-dead");
    }
  });

  it("caps long tables but keeps the full count", () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ eshopId: 1, code: `P-${i}`, name: null, since: FROM }));
    const { text, html } = buildDigest(model({ soldOut: { count: 80, rows } }));
    expect(text).toContain("SOLD OUT NOW: 80");
    expect(text).toContain("P-29");
    expect(text).not.toContain("P-30 ");
    expect(text).toContain("… and 50 more");
    expect(html).toContain("… and 50 more");
  });

  it("is deterministic", () => {
    expect(buildDigest(model())).toEqual(buildDigest(model()));
  });
});

describe("isEmptyDigest", () => {
  const nothing = model({
    soldOut: { count: 2, rows: [] },
    low: { count: 0, rows: [] },
    backInStock: { count: 0, rows: [] },
    topMovers: { count: 0, rows: [] },
    alerts: { opened: 0, resolved: 0, rows: [] },
    events: { total: 0, previousTotal: 9, rows: [] },
  });

  it("is empty when nothing happened in the period, even with products still sold out", () => {
    expect(isEmptyDigest(nothing)).toBe(true);
  });

  it("is not empty when anything happened", () => {
    expect(isEmptyDigest({ ...nothing, events: { total: 1, previousTotal: 0, rows: [] } })).toBe(false);
    expect(isEmptyDigest({ ...nothing, alerts: { opened: 0, resolved: 1, rows: [] } })).toBe(false);
    expect(isEmptyDigest({ ...nothing, deliveries: { count: 1, deadNow: 1, rows: [] } })).toBe(false);
  });

  it("judges a digest of only sold out / low by those lists", () => {
    const stockOnly = { ...nothing, sections: ["soldOut", "low", "deliveries"] as DigestModel["sections"] };
    expect(isEmptyDigest(stockOnly)).toBe(false);
    expect(isEmptyDigest({ ...stockOnly, soldOut: { count: 0, rows: [] } })).toBe(true);
  });
});

describe("formatting", () => {
  it("writes durations and changes for people", () => {
    expect(formatDuration(30_000)).toBe("under 1 min");
    expect(formatDuration(12 * 60_000)).toBe("12 min");
    expect(formatDuration(5 * 3_600_000 + 12 * 60_000)).toBe("5 h 12 min");
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe("3 d 4 h");
    expect(formatChange(5, 5)).toBe("no change");
    expect(formatChange(3, 0)).toBe("new");
    expect(formatChange(0, 4)).toBe("▼ 4 (−100%)");
    expect(formatChange(1500, 1000)).toBe("▲ 500 (+50%)");
  });
});
