import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/open-database.js";
import { isEmptyDigest } from "../../src/digest/gather-digest.js";
import { previewDigest } from "../../src/digest/run-digest.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { CHANNELS, makeRules } from "../helpers/make-rules.js";
import { DAY, forecastDb, H, ScriptedShop } from "../helpers/scripted-history.js";

// Friday 28 Nov 2025, 10:00 in Prague (09:00 UTC); the digest covers the day before.
const NOW = Date.parse("2025-11-28T09:00:00Z");
const TODAY = Math.floor(NOW / DAY) * DAY;
const dayAgo = (n: number) => TODAY - n * DAY;
const PERIOD = { from: NOW - DAY, to: NOW };

const LEAD_TIMES = `forecast:
  reorderFor: 30d
  leadTimes:
    - { products: ["KAV-*"], leadTime: 10d }
    - { products: ["CAJ-*"], leadTime: 5d }
`;
const DIGESTS = `digests:
  - name: morning
    schedule: "0 10 * * *"
    notify: [managers]
  - name: coffee
    schedule: "0 10 * * *"
    notify: [managers]
    eshops: [1]
    products: ["KAV-*"]
    sections: [runningOut]
`;
const rulesWith = (forecast: string): CompiledRules => makeRules("  []\n", `${CHANNELS}${forecast}${DIGESTS}`);

/** Four weeks of sales in two e-shops (as in forecast-digest.test.ts), ending with a stock count an hour ago. */
function scriptedShops(): Db {
  const db = forecastDb(tempDbPath());
  const shop = new ScriptedShop(db);
  const other = new ScriptedShop(db, 2, 7);
  shop.until = other.until = NOW;
  const selling = (s: ScriptedShop, code: string, perDay: number, left: number) => {
    s.product(code, 1000, dayAgo(30), { name: `Product ${code}` });
    s.sellDaily(code, perDay, dayAgo(28), 29);
    s.move(code, left - s.quantity(code), NOW - H, "admin");
  };
  db.transaction(() => {
    selling(shop, "KAV-1", 6, 24); // 4 days, lead time 10: 6 days short
    selling(shop, "KAV-2", 2, 30); // 15 days: enough
    selling(shop, "KAV-3", 3, 21); // 7 days: 3 days short
    selling(shop, "CAJ-1", 4, 18); // 4.5 days, lead time 5: half a day short
    selling(shop, "MUG-1", 5, 10); // 2 days, but no lead time
    selling(shop, "KAV-0", 6, 0); // sold out: the sold-out section's
    shop.product("KAV-5", 3, dayAgo(30));
    for (const n of [10, 3]) shop.sell("KAV-5", 1, dayAgo(n)); // too little history
    selling(other, "KAV-1", 6, 6); // 1 day, in e-shop 2: the most urgent
  })();
  return db;
}

const build = (db: Db, rules: CompiledRules, name: string) =>
  previewDigest({ db, clock: new FixedClock(NOW) }, rules.digests.find((d) => d.name === name)!, rules, PERIOD);

/** The part of a text between a heading and the next one. */
const between = (text: string, start: string, end: string) => {
  const from = text.indexOf(start);
  expect(from).toBeGreaterThanOrEqual(0);
  return text.slice(from, text.indexOf(end, from));
};
/** Positions of `needles` in `haystack`, failing when one is missing. */
const positions = (haystack: string, needles: string[]) =>
  needles.map((n) => {
    const i = haystack.indexOf(n);
    expect(i, n).toBeGreaterThanOrEqual(0);
    return i;
  });
const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

describe('digest section "running out soon"', () => {
  it("lists what sells out before a reorder arrives, most urgent first, in both parts", async () => {
    const db = scriptedShops();
    const { model, rendered } = await build(db, rulesWith(LEAD_TIMES), "morning");

    expect(model.sections).toEqual(["soldOut", "low", "runningOut", "backInStock", "topMovers", "alerts", "events", "deliveries"]);
    expect(model.runningOut).toMatchObject({ count: 4, reorderForDays: 30, leadTimesConfigured: true });
    expect(model.runningOut!.rows.map((r) => [r.eshopId, r.code, r.quantity, r.velocityPerDay, r.daysOfCover, r.leadTimeDays, r.reorderQuantity])).toEqual([
      [2, "KAV-1", 6, 6, 1, 10, 234],
      [1, "KAV-1", 24, 6, 4, 10, 216],
      [1, "KAV-3", 21, 3, 7, 10, 99],
      [1, "CAJ-1", 18, 4, 4.5, 5, 122],
    ]);
    expect(model.runningOut!.rows[1]!.runOutAt).toBe(NOW + 4 * DAY);
    expect(model.soldOut!.rows.map((r) => r.code)).toEqual(["KAV-0"]);

    expect(rendered.subject).toBe("1 sold out, 0 low, 4 running out — morning digest, 28 Nov");

    const text = between(rendered.text, "RUNNING OUT SOON: 4", "BACK IN STOCK");
    expect(text).toContain("reorder covers the lead time and 30 days after arrival");
    const lines = text.split("\n").filter((l) => /^\s+(KAV|CAJ|MUG)-/.test(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\s+KAV-1 Product KAV-1 \(e-shop 2\)\s+6\s+~6\/day\s+≈ 1 day\s+Sat 29 Nov\s+10 d\s+234$/);
    expect(lines[1]).toMatch(/^\s+KAV-1 Product KAV-1 \(e-shop 1\)\s+24\s+~6\/day\s+≈ 4 days\s+Tue 2 Dec\s+10 d\s+216$/);
    expect(lines[2]).toMatch(/^\s+KAV-3 Product KAV-3 \(e-shop 1\)\s+21\s+~3\/day\s+≈ 7 days\s+Fri 5 Dec\s+10 d\s+99$/);
    expect(lines[3]).toMatch(/^\s+CAJ-1 Product CAJ-1 \(e-shop 1\)\s+18\s+~4\/day\s+≈ 4.5 days\s+Tue 2 Dec\s+5 d\s+122$/);
    for (const absent of ["KAV-2", "MUG-1", "KAV-0", "KAV-5"]) expect(text).not.toContain(absent);
    expect(rendered.text).toContain("1 sold out · 0 low · 4 running out · ");

    const html = between(rendered.html, "Running out soon", "Back in stock");
    expect(html).toMatch(/Running out soon\s*<span[^>]*>4<\/span>/);
    const rows = positions(html, ["KAV-1 · e-shop 2", "KAV-1 · e-shop 1", "KAV-3 · e-shop 1", "CAJ-1 · e-shop 1"]);
    expect(increasing(rows)).toBe(true);
    for (const cell of ["~6/day", "≈ 4 days", "Tue 2 Dec", "10 d", ">216<", ">234<", ">99<", ">122<"]) expect(html).toContain(cell);
    for (const absent of ["KAV-2", "MUG-1", "KAV-0", "KAV-5"]) expect(html).not.toContain(absent);
    expect(rendered.html).toMatch(/>4<\/div>\s*<div[^>]*>running out<\/div>/); // the tile
  });

  it("keeps to the digest's e-shops and products", async () => {
    const db = scriptedShops();
    const { model, rendered } = await build(db, rulesWith(LEAD_TIMES), "coffee");
    expect(model.sections).toEqual(["runningOut", "deliveries"]);
    expect(model.runningOut!.rows.map((r) => [r.eshopId, r.code])).toEqual([
      [1, "KAV-1"],
      [1, "KAV-3"],
    ]);
    expect(rendered.subject).toBe("2 running out — coffee digest, 28 Nov");
    expect(rendered.text).toContain("RUNNING OUT SOON: 2");
    expect(positions(rendered.text, ["KAV-1 Product KAV-1", "KAV-3 Product KAV-3"])).toSatisfy(increasing);
    expect(rendered.text).not.toContain("CAJ-1");
    expect(rendered.text).not.toContain("e-shop 2");
    // A digest of "now" sections only is not empty while something is running out.
    expect(isEmptyDigest(model)).toBe(false);
  });

  it("says when no lead times are configured", async () => {
    const db = scriptedShops();
    const { model, rendered } = await build(db, rulesWith(""), "morning");
    expect(model.runningOut).toEqual({ count: 0, rows: [], reorderForDays: 30, leadTimesConfigured: false });
    expect(rendered.subject).toBe("1 sold out, 0 low — morning digest, 28 Nov");
    expect(between(rendered.text, "RUNNING OUT SOON: 0", "BACK IN STOCK")).toContain(
      "No lead times configured — add `forecast.leadTimes` to the rules file",
    );
    expect(between(rendered.html, "Running out soon", "Back in stock")).toMatch(/No lead times configured — add <code[^>]*>forecast\.leadTimes<\/code> to the rules file/);
    expect(rendered.html).not.toContain(">running out<");
    expect(rendered.text).not.toContain("running out ·");
  });

  it("says when nothing runs out within its lead time", async () => {
    const db = scriptedShops();
    const rules = rulesWith(`forecast:\n  leadTimes:\n    - { products: ["KAV-2", "TEA-*"], leadTime: 3d }\n`);
    const { model, rendered } = await build(db, rules, "morning");
    expect(model.runningOut).toMatchObject({ count: 0, rows: [], leadTimesConfigured: true });
    expect(rendered.subject).toBe("1 sold out, 0 low — morning digest, 28 Nov");
    expect(between(rendered.text, "RUNNING OUT SOON: 0", "BACK IN STOCK")).toContain("Nothing runs out within its lead time.");
    expect(between(rendered.html, "Running out soon", "Back in stock")).toContain("Nothing runs out within its lead time.");
    expect(rendered.text).toContain("0 running out");

    const coffee = await build(db, rules, "coffee");
    expect(isEmptyDigest(coffee.model)).toBe(true);
  });
});
