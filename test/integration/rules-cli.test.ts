import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runRulesCheck } from "../../src/cli/commands/rules-check.js";
import { resolveSince, runRulesTest } from "../../src/cli/commands/rules-test.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { loadRulesFile } from "../../src/rules/load-rules.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";
import { backtest } from "../../src/rules/backtest.js";
import { storedStockHistory } from "../../src/rules/history-source.js";
import { CHANNELS, makeRules } from "../helpers/make-rules.js";
import { DAY, forecastDb, ScriptedShop } from "../helpers/scripted-history.js";

function capture() {
  let text = "";
  return { write: (s: string) => (text += s), get text() { return text; } };
}

describe("stockwatch rules check", () => {
  it("exit 0 and a summary for a valid file", () => {
    const out = capture();
    const err = capture();
    expect(runRulesCheck("config/rules.yaml", out, err)).toBe(0);
    expect(out.text).toBe("config/rules.yaml: ok — 2 channels, 3 rules, 1 digest\n");
    expect(err.text).toBe("");
  });

  it("exit 1 and every error as file:line:col", () => {
    const out = capture();
    const err = capture();
    expect(runRulesCheck("test/fixtures/rules/many-mistakes.yaml", out, err)).toBe(1);
    const lines = err.text.trimEnd().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines[0]).toBe('test/fixtures/rules/many-mistakes.yaml:8:11: timezone: unknown timezone "Mars/Olympus"; use an IANA name such as Europe/Prague or UTC');
    for (const line of lines.slice(0, 7)) expect(line).toMatch(/^test\/fixtures\/rules\/many-mistakes\.yaml:\d+:\d+: /);
    expect(lines[7]).toBe("test/fixtures/rules/many-mistakes.yaml: 7 errors; nothing was changed");
    expect(out.text).toBe("");
  });

  it("prints warnings without failing", () => {
    const dir = tempDir();
    const file = join(dir, "r.yaml");
    writeFileSync(file, 'channels:\n  m: {type: email, to: [a@b.c]}\nrules:\n  - name: x\n    when: { event: "ordr:*" }\n    notify: [m]\n');
    const out = capture();
    const err = capture();
    expect(runRulesCheck(file, out, err)).toBe(0);
    expect(err.text).toBe(`${file}:5:20: warning: rules[0].when.event: "ordr:*" matches no event type in Shoptet's list (types look like "order:create")\n`);
    expect(out.text).toBe(`${file}: ok — 1 channel, 1 rule, 0 digests\n`);
  });
});

const H = 3_600_000;
const NOW = Date.parse("2025-01-20T12:00:00Z");
const SINCE = NOW - 7 * 24 * H;

/** A prepared history: known movements, level changes and events, some before the window. */
function prepare(db: Db) {
  const product = db.prepare(
    "INSERT INTO stock_products (eshop_id, code, name, quantity_milli, min_milli, level, level_since, updated_at) VALUES (1, ?, ?, 0, ?, 'ok', 0, 0)",
  );
  product.run("KAV-1", "Colombia", 5000);
  product.run("CAJ-1", "Sencha", 2000);
  const movement = db.prepare(
    `INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, actual_amount_milli, sum_amount_milli, change_time, applied_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, 0)`,
  );
  let id = 1;
  const m = (stock: number, code: string, actual: number, sum: number | null, at: number) => movement.run(stock, id++, code, actual * 1000, sum === null ? null : sum * 1000, at);
  // Before the window: CAJ-1 is already sold out (its alert existed; it must not count as opened).
  m(1, "CAJ-1", 0, 0, SINCE - 24 * H);
  m(1, "KAV-1", 30, 30, SINCE - 24 * H);
  // In the window: KAV-1 goes 30 → 15 → 0 → 25 → 4 → 40; CAJ-1 comes back.
  m(1, "KAV-1", 15, 15, SINCE + 1 * H);
  m(1, "KAV-1", 0, 0, SINCE + 2 * H);
  m(1, "KAV-1", 25, 25, SINCE + 3 * H);
  m(1, "KAV-1", 4, 4, SINCE + 30 * H);
  m(1, "KAV-1", 40, null, SINCE + 60 * H);
  m(1, "CAJ-1", 10, 10, SINCE + 5 * H);
  // A beta event only recorded as a level change: CAJ-1 sold out again.
  db.prepare(
    "INSERT INTO stock_level_changes (eshop_id, code, from_level, to_level, quantity_milli, at, cause_event) VALUES (1, 'CAJ-1', 'ok', 'soldOut', 0, ?, 'stock:soldOut')",
  ).run(SINCE + 100 * H);
  const event = db.prepare(
    `INSERT INTO events (eshop_id, event, event_instance, event_created, received_at, dedupe_key, known, raw) VALUES (1, ?, ?, '', ?, ?, 1, x'')`,
  );
  let n = 0;
  const e = (type: string, instance: string, at: number) => event.run(type, instance, at, Buffer.from(String(n++)));
  e("order:cancel", "OLD", SINCE - H); // outside the window
  e("order:cancel", "2025001", SINCE + H);
  e("order:cancel", "2025002", SINCE + 2 * H);
  e("order:create", "2025003", SINCE + 2 * H);
  e("discountCoupon:update", "SALE", SINCE + 3 * H);
  e("discountCoupon:update", "SALE", SINCE + 3 * H + 60_000);
  e("discountCoupon:update", "SALE", SINCE + 5 * H);
}

describe("stockwatch rules test", () => {
  it("replays prepared history into known counts and sends nothing", () => {
    const db = openDatabase(tempDbPath());
    prepare(db);
    const rules = makeRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: coffee-low
    when: { products: ["KAV-*"], quantity: { below: 20 } }
    notify: [warehouse, managers]
    repeat: 12h
    clearAbove: 30
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [managers]
  - name: coupon
    when: { event: "discountCoupon:*" }
    notify: [managers]
    cooldown: 1h
`);
    const out = capture();
    const result = runRulesTest({ db, rules, since: SINCE, now: NOW }, out);
    const byRule = Object.fromEntries(result.rules.map((r) => [r.rule, r]));
    // sold-out: KAV-1 at +2h (resolved +3h), CAJ-1 was open at the start (resolved +5h), re-opened at +100h.
    expect(byRule["sold-out"]).toMatchObject({ opened: 2, resolved: 2, reminded: 0, stillOpen: 1, messages: 4 });
    // coffee-low: opens at +1h (15 < 20), stays open through 0 and 25 (≤ clearAbove 30) and 4,
    // reminds every 12h from +1h until +60h when 40 > 30 resolves it: +13,+25,+37,+49 → 4 reminders.
    expect(byRule["coffee-low"]).toMatchObject({ opened: 1, reminded: 4, resolved: 1, stillOpen: 0, messages: 12 });
    expect(byRule["order-cancelled"]).toMatchObject({ opened: 2, held: 0, messages: 2 });
    expect(byRule["coupon"]).toMatchObject({ opened: 2, held: 1 });
    expect(result).toMatchObject({ stockChanges: 7, events: 6 });

    expect(out.text).toContain("Replaying 2025-01-13 13:00 … 2025-01-20 13:00 (Europe/Prague) through test.yaml — nothing is sent\n");
    expect(out.text).toContain("sold-out (line 6, stock rule): opened 2, reminded 0, resolved 2 (open at the end: 1) — 4 messages\n");
    expect(out.text).toContain("    2025-01-13 15:00  e-shop 1  Sold out: KAV-1 Colombia (0 left, minimum 5)\n");
    expect(out.text).toContain("coupon (line 17, event rule): fired 2, held by cooldown 1 — 2 messages\n");
    expect(out.text).toContain("    2025-01-13 14:00  e-shop 1  order-cancelled: order:cancel 2025001\n");
    expect(out.text).toContain("\n20 messages in all, before grouping and quiet hours\n");
    // Nothing was written: no alert rows.
    expect((db.prepare("SELECT count(*) AS n FROM alerts").get() as { n: number }).n).toBe(0);
  });

  it("replays the default config file against an empty database", () => {
    const db = openDatabase(tempDbPath());
    const loaded = loadRulesFile("config/rules.yaml");
    if (!loaded.ok) throw new Error("config invalid");
    const out = capture();
    const result = runRulesTest({ db, rules: loaded.rules, since: SINCE, now: NOW }, out);
    expect(result.rules.every((r) => r.opened === 0)).toBe(true);
    expect(out.text).toContain("0 messages in all");
  });

  it("judges daysOfCover rules by the stored sales: they fire in the replay", () => {
    const db = forecastDb(tempDbPath());
    const shop = new ScriptedShop(db);
    shop.until = NOW;
    const today = Math.floor(NOW / DAY) * DAY;
    db.transaction(() => {
      // 240 on hand, then 6 a day for 35 days: 10 days left 5 days ago (30 sold), 7 days left 2 days ago.
      shop.product("KAV-1", 240, today - 40 * DAY, { name: "Colombia" });
      shop.sellDaily("KAV-1", 6, today - 35 * DAY, 36);
      // A slow seller with plenty on hand: never near either threshold.
      shop.product("CAJ-1", 500, today - 40 * DAY, { name: "Sencha" });
      shop.sellDaily("CAJ-1", 1, today - 35 * DAY, 36);
    })();
    const rules = makeRules(
      `  - name: running-low
    when: { daysOfCover: { below: 7 } }
    notify: [warehouse]
  - name: reorder
    when: { daysOfCover: { belowLeadTime: true } }
    notify: [managers]
`,
      `${CHANNELS}forecast:\n  leadTimes:\n    - { products: ["KAV-*"], leadTime: 10d }\n`,
    );
    const out = capture();
    const result = runRulesTest({ db, rules, since: SINCE, now: NOW }, out);
    const byRule = Object.fromEntries(result.rules.map((r) => [r.rule, r]));
    expect(byRule["running-low"]).toMatchObject({ opened: 1, stillOpen: 1, messages: 1 });
    expect(byRule["reorder"]).toMatchObject({ opened: 1, stillOpen: 1, messages: 1 });
    const opened = (rule: string) => byRule[rule]!.examples.map((e) => [e.subject, e.summary]);
    expect(opened("running-low")).toEqual([["KAV-1", expect.stringMatching(/^running-low: KAV-1 Colombia \(≈ 7 days left, 41 in stock\)/)]]);
    expect(opened("reorder")).toEqual([["KAV-1", expect.stringMatching(/^reorder: KAV-1 Colombia \(≈ 10 days left, 59 in stock\)/)]]);
    // 42 left (exactly 7 days) after the last sale two days ago; the next sale (02:00 UTC) opens it. 60 (10 days) five days ago.
    expect(byRule["running-low"]!.examples[0]!.at).toBe(today - 2 * DAY + 2 * 3_600_000);
    expect(byRule["reorder"]!.examples[0]!.at).toBe(today - 5 * DAY + 2 * 3_600_000);
    expect(out.text).toContain("running-low (line 9, stock rule): opened 1, reminded 0, resolved 0 (open at the end: 1)");
    expect(out.text).toContain("    2025-01-18 03:00  e-shop 1  running-low: KAV-1 Colombia (≈ 7 days left, 41 in stock)\n");

    // Without the stored sales (what `rules test` did before) the same replay opens nothing.
    const history = storedStockHistory(db, SINCE, NOW);
    const blind = backtest({ rules, from: SINCE, to: NOW, warmup: history.warmup, stockChanges: history.changes, events: [] });
    expect(blind.rules.map((r) => r.opened)).toEqual([0, 0]);
  });

  it("reads --since as a duration back from now or a date", () => {
    expect(resolveSince("7d", NOW)).toBe(SINCE);
    expect(resolveSince("2025-01-01", NOW)).toBe(Date.parse("2025-01-01"));
    expect(resolveSince("last week", NOW)).toBeUndefined();
  });
});
