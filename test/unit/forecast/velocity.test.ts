import { describe, expect, it } from "vitest";
import type { DaySales } from "../../../src/forecast/forecast-types.js";
import fc from "fast-check";
import { estimateVelocity, soldOutIntervals, velocityBlocks, velocityCeiling } from "../../../src/forecast/velocity.js";

const DAY = 86_400_000;
// Noon UTC: today is half over.
const NOW = Date.parse("2025-11-28T12:00:00Z");
const TODAY = Math.floor(NOW / DAY);
/** UTC day number `n` days before today. */
const ago = (n: number) => TODAY - n;
const startOf = (day: number) => day * DAY;

/** `perDay` every full day of the last `days` days, half of it today (the day is half over). */
function steady(perDay: number, days = 28): DaySales[] {
  const out: DaySales[] = [{ day: TODAY, sold: perDay / 2 }];
  for (let n = 1; n < days; n++) out.push({ day: ago(n), sold: perDay });
  return out;
}

const naiveMean = (sales: DaySales[]) => sales.reduce((n, s) => n + s.sold, 0) / 27.5;

describe("estimateVelocity on scripted histories", () => {
  it("steady sales: the rate itself, in every part of the window", () => {
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales: steady(6), soldOut: [], observedFrom: null });
    expect(v.velocityPerDay).toBeCloseTo(6, 9);
    expect(v.blockRates).toHaveLength(4);
    for (const r of v.blockRates) expect(r).toBeCloseTo(6, 9);
    expect(v.sold).toBe(6 * 27 + 3);
    expect(v.inStockDays).toBeCloseTo(27.5, 9);
  });

  it("a sold-out gap: days without stock do not count as days without demand", () => {
    // Sold out from 20 days ago to 10 days ago: no sales then.
    const gapFrom = startOf(ago(20));
    const gapTo = startOf(ago(10));
    const sales = steady(6).filter((s) => s.day < ago(20) || s.day >= ago(10));
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales, soldOut: [{ from: gapFrom, to: gapTo }], observedFrom: null });
    expect(v.velocityPerDay).toBeCloseTo(6, 9);
    expect(v.inStockDays).toBeCloseTo(17.5, 9);
    // Averaging over the calendar would have said about 3.8/day.
    expect(naiveMean(sales)).toBeLessThan(4);
  });

  it("a part of the window sold out for most of its length is left out, not extrapolated", () => {
    // Sold out the whole oldest week except half a day, in which 10 units went: a rate of 20/day on too little time.
    const sales = steady(6).filter((s) => s.day > ago(21));
    sales.push({ day: ago(27), sold: 10 });
    const soldOut = [{ from: startOf(ago(27)) + DAY / 2, to: startOf(ago(20)) }];
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales, soldOut, observedFrom: null });
    expect(v.blockRates).toHaveLength(3);
    expect(v.velocityPerDay).toBeCloseTo(6, 9);
  });

  it("a single bulk order does not move the velocity", () => {
    const sales = steady(6);
    sales.find((s) => s.day === ago(9))!.sold += 200;
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales, soldOut: [], observedFrom: null });
    expect(v.velocityPerDay).toBeCloseTo(6, 9);
    expect(v.sold).toBe(6 * 27 + 3 + 200);
    // The plain mean would have been 13.3/day: more than double.
    expect(naiveMean(sales)).toBeGreaterThan(13);
  });

  it("no sales: velocity 0 (known), not null (unknown)", () => {
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales: [], soldOut: [], observedFrom: null });
    expect(v).toMatchObject({ velocityPerDay: 0, sold: 0 });
  });

  it("sold out the whole window: no velocity at all", () => {
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales: [], soldOut: [{ from: 0, to: NOW }], observedFrom: null });
    expect(v.velocityPerDay).toBeNull();
    expect(v.inStockDays).toBe(0);
  });

  it("a product watched for 3 days is judged on those days, not on 25 unknown ones", () => {
    const observedFrom = startOf(ago(3));
    const sales = steady(4).filter((s) => s.day >= ago(3));
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales, soldOut: [], observedFrom });
    expect(v.blockRates).toEqual([4]);
    expect(v.velocityPerDay).toBe(4);
    // Watched for 1 day only: less than a quarter of a part, so nothing to say yet.
    const young = estimateVelocity({ now: NOW, windowDays: 28, sales: [{ day: TODAY, sold: 3 }], soldOut: [], observedFrom: startOf(ago(1)) });
    expect(young.velocityPerDay).toBeNull();
  });

  it("sales on a day the level history calls sold out count that day as sellable (negative stock, pre-orders)", () => {
    const sales = steady(6);
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales, soldOut: [{ from: startOf(ago(6)), to: startOf(ago(3)) }], observedFrom: null });
    expect(v.velocityPerDay).toBeCloseTo(6, 9);
    expect(v.inStockDays).toBeCloseTo(27.5, 9);
  });

  it("ignores sales outside the window and splits odd windows with the longer parts oldest", () => {
    const sales = [...steady(2, 30), { day: ago(40), sold: 1000 }, { day: TODAY + 1, sold: 1000 }];
    const v = estimateVelocity({ now: NOW, windowDays: 30, sales, soldOut: [], observedFrom: null });
    expect(v.sold).toBe(2 * 29 + 1);
    expect(v.velocityPerDay).toBeCloseTo(2, 9);
    expect(v.windowDays).toBe(30);
  });

  it("a one-week window still uses four parts", () => {
    const v = estimateVelocity({ now: NOW, windowDays: 7, sales: steady(3, 7), soldOut: [], observedFrom: null });
    expect(v.blockRates).toHaveLength(4);
    expect(v.velocityPerDay).toBeCloseTo(3, 9);
  });
});

describe("soldOutIntervals", () => {
  const start = 1000;
  it("turns level changes into sold-out stretches, open-ended at now", () => {
    const changes = [
      { at: 900, toLevel: "soldOut" }, // before the window: sets the starting level
      { at: 1500, toLevel: "ok" },
      { at: 2000, toLevel: "low" },
      { at: 2500, toLevel: "soldOut" },
    ];
    expect(soldOutIntervals(null, start, changes, 3000)).toEqual([
      { from: 1000, to: 1500 },
      { from: 2500, to: 3000 },
    ]);
  });

  it("takes the starting level when there are no changes, and ignores changes after now", () => {
    expect(soldOutIntervals("soldOut", start, [], 3000)).toEqual([{ from: 1000, to: 3000 }]);
    expect(soldOutIntervals("ok", start, [{ at: 3500, toLevel: "soldOut" }], 3000)).toEqual([]);
  });
});

describe("velocityCeiling (lets \"running out soon\" skip products without reading their history)", () => {
  it("cuts the window into the parts estimateVelocity uses, oldest taking the leftover days", () => {
    expect(velocityBlocks(NOW, 30)).toEqual([
      { firstDay: ago(29), days: 8 },
      { firstDay: ago(21), days: 8 },
      { firstDay: ago(13), days: 7 },
      { firstDay: ago(6), days: 7 },
    ]);
  });

  it("is never below the velocity, whatever the sold-out history and first sighting", () => {
    const windowDays = fc.integer({ min: 7, max: 60 });
    const input = windowDays.chain((w) =>
      fc.record({
        windowDays: fc.constant(w),
        sales: fc.array(fc.record({ day: fc.integer({ min: ago(w + 3), max: TODAY }), sold: fc.integer({ min: 0, max: 500 }).map((n) => n / 4) }), { maxLength: 80 }),
        soldOut: fc.array(
          fc.tuple(fc.integer({ min: startOf(ago(w + 3)), max: NOW }), fc.integer({ min: 1, max: 20 * DAY })).map(([from, len]) => ({ from, to: from + len })),
          { maxLength: 6 },
        ),
        observedFrom: fc.option(fc.integer({ min: startOf(ago(w + 3)), max: NOW }), { nil: null }),
      }),
    );
    fc.assert(
      fc.property(input, ({ windowDays, sales, soldOut, observedFrom }) => {
        const v = estimateVelocity({ now: NOW, windowDays, sales, soldOut, observedFrom });
        const blocks = velocityBlocks(NOW, windowDays);
        const sold = blocks.map((b) => sales.filter((s) => s.day >= b.firstDay && s.day < b.firstDay + b.days).reduce((n, s) => n + s.sold, 0));
        if (v.velocityPerDay !== null) expect(v.velocityPerDay).toBeLessThanOrEqual(velocityCeiling(blocks, sold) * (1 + 1e-9));
      }),
      { numRuns: 500 },
    );
  });

  it("is reached when a part sells on its only quarter in stock", () => {
    // The newest week: in stock only its last 1.75 days (a quarter of 7), selling 14 then.
    const blocks = velocityBlocks(NOW, 28);
    const v = estimateVelocity({ now: NOW, windowDays: 28, sales: [{ day: TODAY, sold: 7 }, { day: ago(1), sold: 7 }], soldOut: [{ from: startOf(ago(6)), to: NOW - 1.75 * DAY }], observedFrom: null });
    expect(v.blockRates.at(-1)).toBeCloseTo(8, 9);
    expect(velocityCeiling(blocks, [0, 0, 0, 14])).toBe(8);
  });
});
