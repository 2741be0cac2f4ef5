import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";
import { migrate } from "../../src/db/migrate.js";
import { openDatabase } from "../../src/db/open-database.js";
import { createForecastReader, pruneDailySales } from "../../src/forecast/forecast-reader.js";
import { FORECAST_DEFAULTS, type ForecastSettings } from "../../src/forecast/forecast-types.js";
import { productForecast, withForecasts } from "../../src/forecast/product-forecast.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { DAY, forecastDb, ScriptedShop } from "../helpers/scripted-history.js";

// Friday 28 Nov 2025, 10:00 in Prague (09:00 UTC).
const NOW = Date.parse("2025-11-28T09:00:00Z");
const TODAY = Math.floor(NOW / DAY) * DAY;
/** Midnight UTC `n` days before today. */
const dayAgo = (n: number) => TODAY - n * DAY;
const settings: ForecastSettings = { ...FORECAST_DEFAULTS };
const query = { windowDays: 28, salesBy: FORECAST_DEFAULTS.salesBy, now: NOW };

function setup() {
  const db = forecastDb(tempDbPath());
  const shop = new ScriptedShop(db);
  shop.until = NOW;
  const reader = createForecastReader(db);
  /** Writes a history in one transaction (each movement is still its own savepoint, as in the worker). */
  const script = (fn: () => void) => db.transaction(fn)();
  return { db, shop, reader, script };
}

describe("velocity from the stored movement history", () => {
  it("steady sales: ~6/day; restocks and admin corrections are not sales", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("KAV-1", 500, dayAgo(40));
      shop.sellDaily("KAV-1", 6, dayAgo(35), 36);
      shop.restock("KAV-1", 200, dayAgo(10) + 5 * 3_600_000);
      shop.move("KAV-1", -40, dayAgo(5) + 3_600_000, "admin"); // stock count found 40 fewer
    });
    const v = reader.velocity(1, "KAV-1", query)!;
    expect(v.velocityPerDay).toBeCloseTo(6, 1);
    // 27 full days of 6, and the two orders placed today before 09:00 UTC.
    expect(v.sold).toBe(27 * 6 + 2);
    expect(v.inStockDays).toBeCloseTo(27.375, 6);
    // Counting admin decreases as sales puts the correction in one week only: the median ignores it.
    expect(reader.velocity(1, "KAV-1", { ...query, salesBy: ["customer", "admin"] })!.velocityPerDay).toBeCloseTo(6, 1);
  });

  it("whose decreases count as sales is a setting, applied when reading", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("POS-1", 300, dayAgo(30));
      shop.sellDaily("POS-1", 3, dayAgo(28), 29, "api.service-1234@shop.example.com");
      shop.sellDaily("POS-1", 1, dayAgo(28), 29, null);
    });
    expect(reader.velocity(1, "POS-1", query)!).toMatchObject({ velocityPerDay: 0, sold: 0 });
    expect(reader.velocity(1, "POS-1", { ...query, salesBy: ["api"] })!.velocityPerDay).toBeCloseTo(3, 1);
    expect(reader.velocity(1, "POS-1", { ...query, salesBy: ["api", "none"] })!.velocityPerDay).toBeCloseTo(4, 1);
  });

  it("a sold-out gap (from the level history) is not counted as days without demand", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("KAV-2", 100, dayAgo(36));
      shop.sellDaily("KAV-2", 6, dayAgo(35), 16); // 96 sold: 4 left
      shop.sell("KAV-2", 4, dayAgo(19) + 6 * 3_600_000); // sold out on day -19, 06:00
      shop.restock("KAV-2", 300, dayAgo(11)); // back 8 days later
      shop.sellDaily("KAV-2", 6, dayAgo(11), 12);
    });
    const v = reader.velocity(1, "KAV-2", query)!;
    // The week that was sold out for all but a day and a quarter is left out; the other three say 6.
    expect(v.blockRates).toHaveLength(3);
    expect(v.velocityPerDay).toBeCloseTo(6, 6);
    expect(v.inStockDays).toBeCloseTo(27.375 - 7.75, 6);
    // Spread over the calendar, the same sales would read as under 4.5/day.
    expect(v.sold / 27.375).toBeLessThan(4.5);
  });

  it("a single bulk order does not inflate the velocity", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("KAV-3", 2000, dayAgo(30));
      shop.sellDaily("KAV-3", 6, dayAgo(28), 29);
      shop.sell("KAV-3", 250, dayAgo(12) + 12 * 3_600_000);
    });
    const v = reader.velocity(1, "KAV-3", query)!;
    expect(v.velocityPerDay).toBeCloseTo(6, 1);
    expect(v.sold).toBe(27 * 6 + 2 + 250);
  });

  it("no sales: velocity 0, and the API shows no days of cover", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("MUG-1", 40, dayAgo(60));
      shop.restock("MUG-1", 10, dayAgo(3));
    });
    expect(reader.velocity(1, "MUG-1", query)).toMatchObject({ velocityPerDay: 0, sold: 0 });
    expect(productForecast(reader, 1, "MUG-1", settings, NOW)).toEqual({ velocityPerDay: 0, daysOfCover: null });
    expect(reader.velocity(1, "NOPE", query)).toBeNull();
  });

  it("a product watched for 3 days is judged on those 3 days", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("NEW-1", 50, dayAgo(3));
      shop.sellDaily("NEW-1", 4, dayAgo(3), 4);
    });
    const v = reader.velocity(1, "NEW-1", query)!;
    expect(v.velocityPerDay).toBeCloseTo(4, 0);
    expect(v.inStockDays).toBeCloseTo(3.375, 6);
  });

  it("days of cover from the stored quantity, with the API figures for GET /api/products", () => {
    const { shop, reader, script } = setup();
    script(() => {
      shop.product("KAV-4", 200, dayAgo(30));
      shop.sellDaily("KAV-4", 6, dayAgo(28), 28);
      shop.move("KAV-4", 24 - shop.quantity("KAV-4"), dayAgo(0) + 3_600_000, "admin"); // count: 24 left
    });
    const f = reader.forecast(1, "KAV-4", settings, NOW)!;
    expect(f.quantity).toBe(24);
    expect(f.daysOfCover).toBeCloseTo(24 / f.velocityPerDay!, 9);
    expect(f.daysOfCover).toBeGreaterThan(3.5);
    expect(f.daysOfCover).toBeLessThan(4.5);
    expect(f.runOutAt).toBe(NOW + Math.round(f.daysOfCover! * DAY));
    const listed = withForecasts(reader, [{ eshopId: 1, code: "KAV-4", name: "x" }], settings, NOW);
    expect(listed).toEqual([{ eshopId: 1, code: "KAV-4", name: "x", velocityPerDay: expect.closeTo(6, 0), daysOfCover: expect.closeTo(4, 0) }]);
    expect(reader.forecastAll(settings, NOW).map((x) => x.code)).toEqual(["KAV-4"]);
  });
});

describe("the daily summary (migration 0006)", () => {
  it("is kept by a trigger per UTC day and changedBy, and a replayed movement counts once", () => {
    const { db, shop, script } = setup();
    script(() => {
      shop.product("X-1", 100, dayAgo(2));
      shop.sell("X-1", 2, dayAgo(1) + 1000);
      shop.sell("X-1", 1, dayAgo(1) + 2000, "admin");
      shop.sell("X-1", 1.5, dayAgo(1) + 3000, "api.service-7@shop.cz");
      shop.sell("X-1", 3, dayAgo(1) + 4000, "novak@shop.cz");
      shop.sell("X-1", 4, dayAgo(1) + 5000, null);
      shop.restock("X-1", 50, dayAgo(1) + 6000);
      shop.sell("X-1", 1, dayAgo(0) + 1000);
    });
    // The stock worker re-reading a page inserts the same movement id again: ignored.
    shop.repo.transaction(() =>
      shop.repo.insertMovement(1, 1, { id: shop.lastMovementId, productCode: "X-1", actualAmountMilli: 0, amountChangeMilli: -1000, sumAmountMilli: 0, changedBy: "customer", changeTime: dayAgo(0) + 1000, productGuid: null }, NOW),
    );
    const rows = db.prepare("SELECT * FROM forecast_daily ORDER BY day").all();
    expect(rows).toEqual([
      { eshop_id: 1, code: "X-1", day: dayAgo(1) / DAY, out_customer: 2000, out_admin: 1000, out_api: 1500, out_email: 3000, out_none: 4000, in_milli: 50_000 },
      { eshop_id: 1, code: "X-1", day: dayAgo(0) / DAY, out_customer: 1000, out_admin: 0, out_api: 0, out_email: 0, out_none: 0, in_milli: 0 },
    ]);
    expect(db.prepare("SELECT first_seen FROM forecast_seen WHERE code = 'X-1'").get()).toEqual({ first_seen: dayAgo(2) });
    expect(pruneDailySales(db, dayAgo(0) / DAY)).toBe(1);
  });

  it("summarises movements stored before it was applied", () => {
    const path = tempDbPath();
    const before = openDatabase(path, { migrate: false });
    migrate(before, migrations.filter((m) => m.version < 6));
    // The history is written by today's repository, whose product rows carry a column that only
    // migration 0008 adds: lend it for the seeding, then take it away again.
    before.exec("ALTER TABLE stock_products ADD COLUMN quantity_movement_id INTEGER");
    const shop = new ScriptedShop(before);
    before.transaction(() => {
      shop.product("OLD-1", 100, dayAgo(10));
      shop.sellDaily("OLD-1", 2, dayAgo(10), 10);
      shop.sell("OLD-1", 5, dayAgo(2), "admin");
    })();
    before.exec("ALTER TABLE stock_products DROP COLUMN quantity_movement_id");
    expect(migrate(before, migrations)).toEqual(migrations.filter((m) => m.version >= 6).map((m) => m.version));
    const byDay = before.prepare("SELECT day, out_customer, out_admin FROM forecast_daily WHERE code = 'OLD-1' ORDER BY day").all() as { day: number; out_customer: number; out_admin: number }[];
    expect(byDay).toHaveLength(10);
    expect(byDay.every((r) => r.out_customer === 2000)).toBe(true);
    expect(byDay.find((r) => r.day === dayAgo(2) / DAY)!.out_admin).toBe(5000);
    expect(before.prepare("SELECT first_seen FROM forecast_seen WHERE code = 'OLD-1'").get()).toEqual({ first_seen: dayAgo(10) });
    expect(createForecastReader(before).velocity(1, "OLD-1", { ...query, now: dayAgo(0) })!.velocityPerDay).toBeCloseTo(2, 6);
  });
});
