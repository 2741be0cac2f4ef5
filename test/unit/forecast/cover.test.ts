import { describe, expect, it } from "vitest";
import { daysOfCover, reorderQuantity, runOutAt } from "../../../src/forecast/cover.js";
import { describeForecast, formatCover, formatDay, formatRate } from "../../../src/forecast/forecast-text.js";
import { toApiForecast } from "../../../src/forecast/product-forecast.js";
import type { ProductForecast } from "../../../src/forecast/forecast-types.js";

const DAY = 86_400_000;
// Friday 28 Nov 2025, 10:00 in Prague.
const NOW = Date.parse("2025-11-28T09:00:00Z");

describe("days of cover", () => {
  it("is quantity over velocity; 0 when sold out; Infinity when not selling; null below minSales or without velocity", () => {
    expect(daysOfCover(24, { velocityPerDay: 6, sold: 150 }, 5)).toBe(4);
    expect(daysOfCover(0, { velocityPerDay: 6, sold: 150 }, 5)).toBe(0);
    expect(daysOfCover(-3, { velocityPerDay: 6, sold: 150 }, 5)).toBe(0);
    expect(daysOfCover(24, { velocityPerDay: 0, sold: 5 }, 5)).toBe(Infinity);
    expect(daysOfCover(24, { velocityPerDay: 0.2, sold: 4 }, 5)).toBeNull();
    expect(daysOfCover(24, { velocityPerDay: null, sold: 40 }, 5)).toBeNull();
  });

  it("run-out time is now + cover, none when unknown or never", () => {
    expect(runOutAt(NOW, 4)).toBe(NOW + 4 * DAY);
    expect(runOutAt(NOW, Infinity)).toBeNull();
    expect(runOutAt(NOW, null)).toBeNull();
  });

  it("suggested reorder covers lead time + N days, minus stock on hand, rounded up", () => {
    // 6/day, 10 days lead time, 30 days after: 240 needed, 24 on hand.
    expect(reorderQuantity(24, 6, 10, 30)).toBe(216);
    expect(reorderQuantity(24, 0.25, 10, 30)).toBe(0);
    expect(reorderQuantity(-4, 1, 2, 3)).toBe(9);
    expect(reorderQuantity(0, 1.01, 10, 0)).toBe(11);
    expect(reorderQuantity(0, 1, 10, 0)).toBe(10);
  });
});

describe("forecast text", () => {
  it('reads like "≈ 4 days left (sells ~6/day, 24 in stock); at this rate sold out on Tue 2 Dec"', () => {
    const text = describeForecast({ quantity: 24, velocityPerDay: 6, daysOfCover: 4, runOutAt: NOW + 4 * DAY, sold: 160, windowDays: 28 }, "Europe/Prague", NOW);
    expect(text).toBe("≈ 4 days left (sells ~6/day, 24 in stock); at this rate sold out on Tue 2 Dec");
  });

  it("says sold out, not selling, and no forecast yet", () => {
    const base = { quantity: 24, velocityPerDay: 6, runOutAt: null, sold: 160, windowDays: 28 };
    expect(describeForecast({ ...base, quantity: 0, daysOfCover: 0 }, "UTC", NOW)).toBe("sold out (sells ~6/day)");
    expect(describeForecast({ ...base, velocityPerDay: 0, daysOfCover: Infinity }, "UTC", NOW)).toBe("not selling at the moment (24 in stock)");
    expect(describeForecast({ ...base, velocityPerDay: 0.1, sold: 3, daysOfCover: null }, "UTC", NOW)).toBe("no forecast yet: 3 sold in the last 28 days (24 in stock)");
  });

  it("rates, covers and dates", () => {
    expect([formatRate(14.4), formatRate(2.46), formatRate(3), formatRate(0.5), formatRate(0.05), formatRate(0)]).toEqual([
      "~14/day",
      "~2.5/day",
      "~3/day",
      "~3.5/week",
      "~1.5/month",
      "0/day",
    ]);
    expect([formatCover(0.4), formatCover(1.2), formatCover(6.6), formatCover(0), formatCover(Infinity), formatCover(null)]).toEqual([
      "less than a day left",
      "≈ 1 day left",
      "≈ 7 days left",
      "sold out",
      "not selling",
      "no forecast",
    ]);
    // 23:30 UTC on 1 Dec is already Tuesday in Prague; next year's dates carry the year.
    expect(formatDay(Date.parse("2025-12-01T23:30:00Z"), "Europe/Prague", NOW)).toBe("Tue 2 Dec");
    expect(formatDay(Date.parse("2026-01-06T12:00:00Z"), "Europe/Prague", NOW)).toBe("Tue 6 Jan 2026");
  });

  it("API figures are rounded and JSON-safe", () => {
    const f = { velocityPerDay: 5.8333, daysOfCover: 4.1142, sold: 160 } as ProductForecast;
    expect(toApiForecast(f)).toEqual({ velocityPerDay: 5.83, daysOfCover: 4.1 });
    expect(toApiForecast({ ...f, velocityPerDay: 0, daysOfCover: Infinity })).toEqual({ velocityPerDay: 0, daysOfCover: null });
    expect(toApiForecast(null)).toEqual({ velocityPerDay: null, daysOfCover: null });
    expect(JSON.parse(JSON.stringify(toApiForecast({ ...f, daysOfCover: Infinity })))).toEqual({ velocityPerDay: 5.83, daysOfCover: null });
  });
});
