import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { previewDigest } from "../../src/digest/run-digest.js";
import { createSqliteDigestSources } from "../../src/digest/sqlite-digest-sources.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { PERIOD, SHOP_A, SHOP_B, loadDigestRules, scriptDay } from "../fixtures/digest/scripted-day.js";

let db: Db;
let rules: CompiledRules;

beforeEach(() => {
  db = openDatabase(tempDbPath());
  scriptDay(db);
  rules = loadDigestRules();
});
afterEach(() => db.close());

/** The text between two headings. */
const section = (text: string, start: string, end: string) => text.slice(text.indexOf(start), text.indexOf(end));
const digest = (name: string) => rules.digests.find((d) => d.name === name)!;
const build = (name: string) => previewDigest({ db, clock: new FixedClock(PERIOD.to) }, digest(name), rules, PERIOD);

describe("a digest of a scripted day", () => {
  it("gathers the expected products and counts", async () => {
    const { model } = await build("morning");
    expect(model.soldOut?.rows.map((r) => r.code)).toEqual(["KAV-2", "TEST-1", "X-1", "KAV-1"]); // longest first
    expect(model.low?.rows.map((r) => [r.code, r.quantity, r.minStockSupply])).toEqual([["CAJ-7", 3, 10]]);
    expect(model.backInStock?.rows.map((r) => [r.code, r.outForMs])).toEqual([["KAV-9", 31.5 * 3_600_000]]);
    // KAV-2's -100 was the day before, OK-1's -1000 just after the period.
    expect(model.topMovers?.rows.map((r) => [r.code, r.outflow, r.inflow])).toEqual([
      ["OK-1", 30, 0],
      ["KAV-1", 20, 0],
      ["CAJ-7", 7, 0],
      ["KAV-9", 5, 40],
    ]);
    expect(model.alerts?.rows.map((r) => [r.rule, r.opened, r.resolved, r.openNow])).toEqual([
      ["sold-out", 2, 0, 3],
      ["low", 2, 1, 1],
      ["order-cancelled", 1, 1, 0],
    ]);
    expect(model.events?.rows.map((r) => [r.event, r.count, r.previous])).toEqual([
      ["order:create", 5, 3],
      ["stock:movement", 4, 0],
      ["invoice:create", 3, 0],
      ["order:cancel", 2, 0],
      ["order:paid", 1, 0],
      ["customer:create", 0, 1],
    ]);
    expect(model.deliveries).toMatchObject({ count: 1, deadNow: 1 });
  });

  it("says it in the subject, the text part and the HTML part", async () => {
    const { rendered } = await build("morning");
    expect(rendered.subject).toBe("4 sold out, 1 low, 1 failed delivery — morning digest, 27 Nov");
    for (const part of [rendered.text, rendered.html]) {
      for (const code of ["KAV-1", "KAV-2", "TEST-1", "X-1", "CAJ-7", "KAV-9", "OK-1"]) expect(part).toContain(code);
      expect(part).toContain("Colombia 250 g");
      expect(part).toContain("1 d 7 h"); // KAV-9 was out 1 d 7 h 30 min
      expect(part).toContain("16 h 55 min"); // KAV-1 sold out since 14:05
      expect(part).toContain("order:cancel");
      expect(part).toContain("550 5.1.1 mailbox unavailable");
    }
    expect(rendered.text).toContain("SOLD OUT NOW: 4");
    expect(rendered.text).toContain("ALERTS: 5 opened, 2 resolved");
    expect(rendered.text).toMatch(/order created \(order:create\)\s+5\s+3\s+▲ 2 \(\+67%\)/);
    expect(rendered.text).toMatch(/customer created \(customer:create\)\s+0\s+1\s+▼ 1 \(−100%\)/);
    expect(rendered.html).toContain("Mug &lt;white&gt; &amp; &quot;big&quot;");
  });

  it("keeps to the e-shops of the digest", async () => {
    const { model, rendered } = await build("shop-b");
    expect(model.soldOut?.rows.map((r) => [r.eshopId, r.code])).toEqual([[SHOP_B, "X-1"]]);
    expect(model.topMovers?.rows).toEqual([]);
    expect(model.alerts?.rows).toEqual([]);
    expect(model.events?.rows.map((r) => [r.event, r.count])).toEqual([["order:paid", 1]]);
    expect(rendered.subject).toBe("1 sold out, 0 low, 1 failed delivery — shop-b digest, 27 Nov");
    expect(rendered.text).toContain("Scope: e-shop 333");
    // Delivery problems are not per e-shop (the dead message names KAV-1); the stock sections are.
    expect(section(rendered.text, "SOLD OUT NOW", "DELIVERY PROBLEMS")).not.toContain("KAV-1");
  });

  it("keeps to the product globs and sections of the digest", async () => {
    const { model, rendered } = await build("coffee"); // products: KAV-*, !KAV-2; sections: soldOut, topMovers
    expect(model.soldOut?.rows.map((r) => r.code)).toEqual(["KAV-1"]);
    expect(model.topMovers?.rows.map((r) => r.code)).toEqual(["KAV-1", "KAV-9"]);
    expect(model.low).toBeUndefined();
    expect(model.events).toBeUndefined();
    expect(rendered.text).not.toContain("LOW NOW");
    expect(rendered.text).not.toContain("SHOP EVENTS");
    expect(section(rendered.text, "SOLD OUT NOW", "DELIVERY PROBLEMS")).not.toContain("KAV-2");
    expect(rendered.text).toContain("Scope: products KAV-*, !KAV-2");
  });

  it("filters products before taking the top movers", async () => {
    const sources = createSqliteDigestSources(db, { eshops: [SHOP_A], products: { test: (c) => c.startsWith("CAJ") } });
    expect((await sources.topMovers(PERIOD.from, PERIOD.to, 1)).map((r) => r.code)).toEqual(["CAJ-7"]);
    expect((await sources.topMovers(PERIOD.from, PERIOD.to, 10)).map((r) => r.code)).toEqual(["CAJ-7"]);
  });
});
