import { describe, expect, it } from "vitest";
import { createForecastReader } from "../../src/forecast/forecast-reader.js";
import { rankRunningOut, runningOutSoon } from "../../src/forecast/running-out.js";
import { compileGlobList } from "../../src/rules/glob.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { CHANNELS, makeRules } from "../helpers/make-rules.js";
import { DAY, forecastDb, H, ScriptedShop } from "../helpers/scripted-history.js";

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
  return { reader: createForecastReader(db), db, shop };
}

/**
 * The shop of `setup`, plus a product that was sold out for two weeks, one watched for 10 days only
 * (both sell 6/day, 45 left: 7.5 days, though their weekly sums alone would say about 15 and 35),
 * and one with plenty on hand.
 */
function setupWithMore() {
  const { db, shop } = setup();
  db.transaction(() => {
    shop.product("KAV-7", 1000, dayAgo(30));
    shop.sellDaily("KAV-7", 6, dayAgo(28), 7);
    shop.move("KAV-7", -shop.quantity("KAV-7"), dayAgo(21), "admin"); // written off: sold out
    shop.restock("KAV-7", 200, dayAgo(7));
    shop.sellDaily("KAV-7", 6, dayAgo(7), 8);
    shop.move("KAV-7", 45 - shop.quantity("KAV-7"), NOW - H, "admin");
    shop.product("KAV-9", 100, dayAgo(10)); // new: watched for 10 days only
    shop.sellDaily("KAV-9", 6, dayAgo(10), 11);
    shop.move("KAV-9", 45 - shop.quantity("KAV-9"), NOW - H, "admin");
    shop.product("KAV-8", 1000, dayAgo(30));
    shop.sellDaily("KAV-8", 6, dayAgo(28), 29); // about 830 left: months
  })();
  return { db, reader: createForecastReader(db) };
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

  it("finds exactly what ranking every product's forecast finds, reading the history of fewer products", () => {
    const { reader, db } = setupWithMore();
    const full = rankRunningOut(reader.forecastAll(options.settings, NOW), { ...options, limit: 1000 });
    const section = runningOutSoon(reader, NOW, { ...options, limit: 1000 });
    expect(section).toEqual(full);
    // Sold out for two weeks or watched for 10 days only: still about 6/day, 45 left = about 7.5 days.
    for (const code of ["KAV-7", "KAV-9"]) {
      const row = section.rows.find((r) => r.code === code)!;
      expect(row.velocityPerDay).toBeCloseTo(6, 1);
      expect(row.daysOfCover).toBeCloseTo(7.5, 1);
    }
    // Sold-out, slow-selling, well-stocked and lead-time-less products are ruled out from their sales alone.
    const read = [...reader.forecastEach(options.settings, NOW, { coverBelow: (_e, code) => options.leadTimeFor(code) })].map((f) => `${f.eshopId}/${f.code}`);
    expect(read.sort()).toEqual(["1/CAJ-1", "1/KAV-1", "1/KAV-3", "1/KAV-7", "1/KAV-9", "2/KAV-1"]);
    expect((db.prepare("SELECT count(*) AS n FROM stock_products").get() as { n: number }).n).toBe(11);
  });

  it("finds what ranking every forecast finds on random histories with sell-outs, restocks and late first sightings", () => {
    const db = forecastDb(tempDbPath());
    const shop = new ScriptedShop(db);
    shop.until = NOW;
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const leadTimes = new Map<string, number>();
    db.transaction(() => {
      for (let i = 0; i < 150; i++) {
        const code = `P-${i}`;
        leadTimes.set(code, 3 + Math.floor(random() * 15));
        // Most are watched for longer than the window; a few are new.
        const firstSeen = NOW - Math.floor((random() < 0.8 ? 29 + random() * 30 : random() * 29) * DAY);
        // Poisson sales; most products are restocked (sometimes) when under 4 days of stock, a few never.
        const rate = 0.2 + random() * 8;
        const restocks = random() < 0.8;
        shop.product(code, Math.ceil(rate * (5 + random() * 30)), firstSeen, { min: random() < 0.5 ? 5 : null });
        for (let t = firstSeen + (-Math.log(1 - random()) / rate) * DAY; t < NOW; t += (-Math.log(1 - random()) / rate) * DAY) {
          const at = Math.floor(t);
          const q = shop.quantity(code);
          if (q > 0) shop.sell(code, Math.min(q, random() < 0.05 ? 20 : 1), at);
          if (restocks && shop.quantity(code) < rate * 4 && random() < 0.3) shop.restock(code, Math.ceil(rate * 30), at + 1);
        }
      }
    })();
    const reader = createForecastReader(db);
    const opts = { leadTimeFor: (code: string) => leadTimes.get(code) ?? null, settings: rules.forecast.settings, limit: 1000 };
    const full = rankRunningOut(reader.forecastAll(opts.settings, NOW), opts);
    const section = runningOutSoon(reader, NOW, opts);
    expect(full.count).toBeGreaterThan(20);
    expect(section).toEqual(full);
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
