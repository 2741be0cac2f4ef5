import { describe, expect, it } from "vitest";
import { createForecastReader } from "../../src/forecast/forecast-reader.js";
import type { AlertMessage, NewOutboxMessage } from "../../src/outbox/outbox-types.js";
import { listAlerts } from "../../src/store/sqlite/alert-store.js";
import { createRulesEngine } from "../../src/rules/rules-engine.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { CHANNELS, change, makeRules, snapshot } from "../helpers/make-rules.js";
import { DAY, forecastDb, H, ScriptedShop } from "../helpers/scripted-history.js";

// Friday 28 Nov 2025, 10:00 in Prague (09:00 UTC).
const NOW = Date.parse("2025-11-28T09:00:00Z");
const TODAY = Math.floor(NOW / DAY) * DAY;
const dayAgo = (n: number) => TODAY - n * DAY;

const RULES = `  - name: running-low
    when: { daysOfCover: { below: 7, clearAbove: 10 } }
    notify: [warehouse]
    repeat: 12h
  - name: reorder
    when:
      daysOfCover: { belowLeadTime: true, safety: 3d }
    notify: [managers]
forecast:
  leadTimes:
    - { products: ["KAV-*"], leadTime: 10d }
`;

function setup() {
  const db = forecastDb(tempDbPath());
  const shop = new ScriptedShop(db);
  shop.until = NOW;
  const clock = new FixedClock(NOW);
  const sent: NewOutboxMessage[] = [];
  const rules = makeRules(RULES, CHANNELS);
  const reader = createForecastReader(db);
  const engine = createRulesEngine({
    db,
    clock,
    logger: silentLogger(),
    getRules: () => rules,
    enqueue: (m) => sent.push(m),
    getForecast: reader.velocity,
  });
  /** What the stock worker does after applying a movement: hand the new state to the engine. */
  const changed = (code: string) => engine.onStockChanges([change(snapshot(code, shop.quantity(code)), clock.now())]);
  const take = () => {
    const out = sent.map((m) => m.body as AlertMessage).map((b) => ({ rule: b.rule, transition: b.transition, summary: b.summary, details: b.subject.details }));
    sent.length = 0;
    return out;
  };
  const open = () => listAlerts(db, { state: "open", limit: 100 }).map((a) => `${a.rule}/${a.subject}`).sort();
  return { db, shop, clock, engine, changed, take, open };
}

describe("daysOfCover rules on a fixed clock, with forecasts from the stored history", () => {
  it("opens, reminds and resolves at the right moments, with the forecast in every message", () => {
    const { shop, clock, engine, changed, take, open } = setup();
    shop.db.transaction(() => {
      shop.product("KAV-1", 400, dayAgo(30), { name: "Colombia 250 g" });
      shop.sellDaily("KAV-1", 6, dayAgo(28), 29);
      shop.move("KAV-1", 60 - shop.quantity("KAV-1"), NOW - H, "admin"); // stock count: 60
    })();

    // 60 in stock at 6/day = 10 days: below lead time 10 + safety 3, not below 7.
    expect(changed("KAV-1")).toMatchObject({ opened: 1 });
    expect(take()).toEqual([
      {
        rule: "reorder",
        transition: "open",
        summary: "reorder: KAV-1 Product KAV-1 (≈ 10 days left, 60 in stock)",
        details: ["≈ 10 days left (sells ~6/day, 60 in stock); at this rate sold out on Mon 8 Dec", "a reorder takes 10 days + 3 days safety"],
      },
    ]);

    // An hour later a customer takes 24: 36 left, 6 days. The bulk order does not change the rate.
    clock.advance(H);
    shop.until = Infinity;
    shop.sell("KAV-1", 24, clock.now());
    expect(changed("KAV-1")).toMatchObject({ opened: 1, reminded: 0 });
    expect(take()).toEqual([
      {
        rule: "running-low",
        transition: "open",
        summary: "running-low: KAV-1 Product KAV-1 (≈ 6 days left, 36 in stock)",
        details: ["≈ 6 days left (sells ~6/day, 36 in stock); at this rate sold out on Thu 4 Dec"],
      },
    ]);
    expect(open()).toEqual(["reorder/KAV-1", "running-low/KAV-1"]);

    // Nothing reminds before `repeat`; after 12 h the tick reminds running-low (reorder has no repeat).
    clock.advance(11 * H);
    expect(engine.tick()).toMatchObject({ reminded: 0, resolved: 0 });
    clock.advance(H);
    expect(engine.tick()).toMatchObject({ reminded: 1, resolved: 0 });
    expect(take()).toEqual([
      {
        rule: "running-low",
        transition: "remind",
        summary: "Still — running-low: KAV-1 Product KAV-1 (≈ 6 days left, 36 in stock)",
        details: ["≈ 6 days left (sells ~6/day, 36 in stock); at this rate sold out on Thu 4 Dec"],
      },
    ]);

    // A small delivery: 54 = 9 days, inside clearAbove 10, so running-low stays open; still below 13.
    clock.advance(H);
    shop.restock("KAV-1", 18, clock.now());
    expect(changed("KAV-1")).toMatchObject({ opened: 0, resolved: 0, messages: 0 });
    expect(open()).toEqual(["reorder/KAV-1", "running-low/KAV-1"]);

    // The big delivery: 84 = 14 days. Both resolve.
    clock.advance(H);
    shop.restock("KAV-1", 30, clock.now());
    expect(changed("KAV-1")).toMatchObject({ resolved: 2 });
    expect(take().map((m) => [m.rule, m.transition, m.summary])).toEqual([
      ["running-low", "resolve", "Resolved — running-low: KAV-1 Product KAV-1 (now ≈ 14 days left, 84 in stock)"],
      ["reorder", "resolve", "Resolved — reorder: KAV-1 Product KAV-1 (now ≈ 14 days left, 84 in stock)"],
    ]);
    expect(open()).toEqual([]);
  });

  it("a product that stops selling resolves on the tick, without any stock change", () => {
    const { shop, clock, engine, changed, take, open } = setup();
    shop.db.transaction(() => {
      shop.product("CAJ-1", 300, dayAgo(30));
      shop.sellDaily("CAJ-1", 6, dayAgo(28), 29);
      shop.move("CAJ-1", 30 - shop.quantity("CAJ-1"), NOW - H, "admin");
    })();
    changed("CAJ-1");
    expect(take().map((m) => m.summary)).toEqual(["running-low: CAJ-1 Product CAJ-1 (≈ 5 days left, 30 in stock)"]);

    // A day later nothing changed: the forecast is re-checked (every 15 min) and still holds.
    clock.advance(DAY);
    expect(engine.tick()).toMatchObject({ resolved: 0, reminded: 1 });
    take();
    // Three weeks without a sale: three of the four weeks say 0, so it is not selling.
    clock.advance(21 * DAY);
    expect(engine.tick()).toMatchObject({ resolved: 1 });
    expect(take()).toEqual([
      {
        rule: "running-low",
        transition: "resolve",
        summary: "Resolved — running-low: CAJ-1 Product CAJ-1 (now not selling, 30 in stock)",
        details: ["not selling at the moment (30 in stock)"],
      },
    ]);
    expect(open()).toEqual([]);
  });

  it("ignores products with fewer sales than minSales, and products without a lead time for lead-time rules", () => {
    const { shop, changed, take, open } = setup();
    shop.db.transaction(() => {
      shop.product("KAV-9", 4.5, dayAgo(30));
      // 4 sold in 28 days, 0.5 left: ~1/week means 3.5 days of cover, but minSales is 5.
      for (const n of [20, 13, 6, 1]) shop.sell("KAV-9", 1, dayAgo(n));
      shop.product("MUG-1", 400, dayAgo(30));
      shop.sellDaily("MUG-1", 10, dayAgo(28), 29); // 116 left = 11.6 days: under 13, but MUG-* has no lead time
    })();
    expect(changed("KAV-9")).toMatchObject({ opened: 0 });
    shop.sell("MUG-1", 0.5, NOW - 1);
    expect(changed("MUG-1")).toMatchObject({ opened: 0 });
    expect(take()).toEqual([]);
    expect(open()).toEqual([]);
    // The fifth sale makes the history long enough (and leaves nothing in stock).
    shop.sell("KAV-9", 1, NOW - 1);
    expect(changed("KAV-9")).toMatchObject({ opened: 2 });
    expect(open()).toEqual(["reorder/KAV-9", "running-low/KAV-9"]);
  });
});
