import { describe, expect, it } from "vitest";
import type { DaySales } from "../../../src/forecast/forecast-types.js";
import { estimateVelocity, soldOutIntervals } from "../../../src/forecast/velocity.js";

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
