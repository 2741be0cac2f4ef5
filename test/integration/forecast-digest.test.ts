import { describe, expect, it } from "vitest";
import { createForecastReader } from "../../src/forecast/forecast-reader.js";
import { rankRunningOut, runningOutSoon } from "../../src/forecast/running-out.js";
import { compileGlobList } from "../../src/rules/glob.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { CHANNELS, makeRules } from "../unit/rules/make-rules.js";
import { DAY, forecastDb, H, ScriptedShop } from "../unit/forecast/scripted-history.js";

const NOW = Date.parse("2025-11-28T09:00:00Z");
const TODAY = Math.floor(NOW / DAY) * DAY;
const dayAgo = (n: number) => TODAY - n * DAY;

const rules = makeRules(
  "  []\n",
  `${CHANNELS}forecast:
  reorderFor: 30d
  leadTimes:
    - { products: ["KAV-*"], leadTime: 10d }
    - { products: ["CAJ-*"], leadTime: 5d }
`,
);

function setup() {
  const db = forecastDb(tempDbPath());
  const shop = new ScriptedShop(db);
  const other = new ScriptedShop(db, 2, 7);
  shop.until = other.until = NOW;
  /** A product selling `perDay` for four weeks, with `left` on hand after a stock count an hour ago. */
  const selling = (s: ScriptedShop, code: string, perDay: number, left: number) => {
    s.product(code, 1000, dayAgo(30));
    s.sellDaily(code, perDay, dayAgo(28), 29);
    s.move(code, left - s.quantity(code), NOW - H, "admin");
  };
  db.transaction(() => {
    selling(shop, "KAV-1", 6, 24); // 4 days, lead time 10: the most urgent
    selling(shop, "KAV-2", 2, 30); // 15 days: enough
    selling(shop, "KAV-3", 3, 21); // 7 days
    selling(shop, "CAJ-1", 4, 18); // 4.5 days, lead time 5
    selling(shop, "MUG-1", 5, 10); // 2 days, but no lead time
    selling(shop, "KAV-0", 6, 0); // sold out: the soldOut section lists it
    shop.product("KAV-5", 3, dayAgo(30));
    for (const n of [10, 3]) shop.sell("KAV-5", 1, dayAgo(n)); // too little history
    selling(other, "KAV-1", 6, 6); // another e-shop
  })();
  return { reader: createForecastReader(db) };
}

const options = { leadTimeFor: rules.forecast.leadTimeFor, settings: rules.forecast.settings };

describe('digest section "running out soon"', () => {
  it("lists products whose cover is below their lead time, most urgent first, with velocity and a reorder quantity", () => {
    const { reader } = setup();
    const section = runningOutSoon(reader, NOW, options);
    expect(section.count).toBe(4);
    expect(section.reorderForDays).toBe(30);
    expect(section.rows.map((r) => [r.eshopId, r.code, r.quantity, r.velocityPerDay, r.daysOfCover, r.leadTimeDays, r.slackDays, r.reorderQuantity])).toEqual([
      [2, "KAV-1", 6, 6, 1, 10, -9, 234],
      [1, "KAV-1", 24, 6, 4, 10, -6, 216],
      [1, "KAV-3", 21, 3, 7, 10, -3, 99],
      [1, "CAJ-1", 18, 4, 4.5, 5, -0.5, 122],
    ]);
    expect(section.rows[1]).toMatchObject({ name: "Product KAV-1", runOutAt: NOW + 4 * DAY, sold: 6 * 27 + 2, windowDays: 28 });
  });

  it("narrows to a digest's e-shops and products, and caps the rows but not the count", () => {
    const { reader } = setup();
    const products = compileGlobList(["KAV-*"]);
    if (!products.ok) throw new Error("glob");
    const section = runningOutSoon(reader, NOW, { ...options, eshops: [1], products: products.matcher, limit: 1 });
    expect(section.count).toBe(2);
    expect(section.rows.map((r) => r.code)).toEqual(["KAV-1"]);
  });

  it("ranks plain forecasts too (the pure part), ties by cover and code", () => {
    const f = (code: string, quantity: number, v: number) => ({
      eshopId: 1,
      code,
      name: null,
      quantity,
      velocityPerDay: v,
      daysOfCover: quantity / v,
      runOutAt: NOW + (quantity / v) * DAY,
      sold: 100,
      inStockDays: 28,
      windowDays: 28,
      blockRates: [],
    });
    const section = rankRunningOut([f("B", 8, 2), f("A", 8, 2), f("C", 2, 1), f("D", 50, 1)], { leadTimeFor: () => 5, settings: { ...rules.forecast.settings, reorderForDays: 10 } });
    expect(section.rows.map((r) => [r.code, r.slackDays, r.reorderQuantity])).toEqual([
      ["C", -3, 13],
      ["A", -1, 22],
      ["B", -1, 22],
    ]);
  });
});
