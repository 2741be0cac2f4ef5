import { describe, expect, it } from "vitest";
import { mayBeBelow } from "../../../src/forecast/forecast-reader.js";
import type { BlockSalesRow } from "../../../src/forecast/forecast-store.js";
import { FORECAST_DEFAULTS, type ForecastSettings } from "../../../src/forecast/forecast-types.js";
import { velocityBlocks } from "../../../src/forecast/velocity.js";

const DAY = 86_400_000;
const NOW = Date.parse("2025-11-28T09:00:00Z");
const settings: ForecastSettings = { ...FORECAST_DEFAULTS };
const blocks = velocityBlocks(NOW, settings.windowDays);
const windowStart = blocks[0]!.firstDay * DAY;

/** A product in stock with `perPart` units sold in every part of the window. */
function row(quantity: number, perPart: number, over: Partial<BlockSalesRow> = {}): BlockSalesRow {
  const r: BlockSalesRow = { eshop_id: 1, code: "A", level: "ok", quantity_milli: quantity * 1000, name: null, first_seen: null, level_before: null, sold_out_in_window: 0, ...over };
  blocks.forEach((_, i) => (r[`b${i}`] = perPart * 1000));
  return r;
}

describe("mayBeBelow: which products the cover query must forecast", () => {
  const perDay = (perPart: number) => (perPart * blocks.length) / settings.windowDays;
  it.each([
    { name: "fewer sales than minSales: never", row: row(1, 0), below: 7, want: false },
    { name: "fewer sales than minSales, by a part", row: row(1, (settings.minSales - 1) / blocks.length), below: 7, want: false },
    { name: "steady sales, little stock", row: row(1, 28), below: 7, want: true },
    { name: "steady sales, stock for far longer", row: row(1000, 28), below: 7, want: false },
    { name: "just over the cover asked for", row: row(perDay(28) * 7 * 1.01, 28), below: 7, want: false },
    { name: "just under the cover asked for", row: row(perDay(28) * 7 * 0.99, 28), below: 7, want: true },
    // Sold out during the window: the part sums only bound the velocity, so more may qualify.
    { name: "sold out in the window: bounded, may qualify", row: row(perDay(28) * 7 * 1.01, 28, { sold_out_in_window: 1 }), below: 7, want: true },
    { name: "sold out at the window's start: bounded", row: row(perDay(28) * 7 * 1.01, 28, { level_before: "soldOut" }), below: 7, want: true },
    { name: "first seen inside the window: bounded", row: row(perDay(28) * 7 * 1.01, 28, { first_seen: windowStart + DAY }), below: 7, want: true },
    { name: "first seen before the window: exact", row: row(perDay(28) * 7 * 1.01, 28, { first_seen: windowStart - DAY }), below: 7, want: false },
  ])("$name", ({ row: r, below, want }) => {
    expect(mayBeBelow(r, blocks, settings, NOW, below)).toBe(want);
  });
});
