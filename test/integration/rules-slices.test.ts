import { describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { lockHoldsOf } from "../../src/db/write-transaction.js";
import type { NewOutboxMessage } from "../../src/outbox/outbox-types.js";
import { createRulesEngine } from "../../src/rules/rules-engine.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import type { ProductSnapshot } from "../../src/stock/stock-types.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { makeRules, snapshot } from "../helpers/make-rules.js";

const T0 = Date.parse("2025-01-15T10:00:00Z");
const H = 3_600_000;
const SOLD_OUT = `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    repeat: 1h
`;

/** 1,000 sold-out products and an engine that may touch at most 40 of them per transaction. */
function setup(path = tempDbPath(), products: ProductSnapshot[] = Array.from({ length: 1000 }, (_, i) => snapshot(`P-${String(i).padStart(4, "0")}`, 0))) {
  const db = openDatabase(path);
  const clock = new FixedClock(T0);
  const sent: NewOutboxMessage[] = [];
  const rules: CompiledRules = makeRules(SOLD_OUT);
  const engine = createRulesEngine({
    db,
    clock,
    logger: silentLogger(),
    getRules: () => rules,
    enqueue: (m) => sent.push(m),
    getProducts: (offset, limit) => products.slice(offset, offset + limit),
    maxSliceItems: 40,
  });
  return { db, clock, sent, engine, path };
}

const count = (db: Db, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe("rules engine work over every product or alert is cut into short transactions", () => {
  it("a new stock rule is applied to 1,000 products 40 at a time, and another writer gets in between slices", () => {
    const { db, sent, engine, path } = setup();
    const other = new Database(path);
    other.pragma("busy_timeout = 0");
    other.exec("CREATE TABLE IF NOT EXISTS probe (n INTEGER)");
    engine.schedule("reconcile");
    const holdsBefore = lockHoldsOf(db).count;
    let steps = 0;
    for (let stats = engine.step(); stats !== null; stats = engine.step()) {
      steps++;
      expect(stats.opened).toBeLessThanOrEqual(40);
      // Between two slices the write lock is free: a writer with no busy timeout at all gets it.
      other.prepare("INSERT INTO probe (n) VALUES (?)").run(steps);
    }
    expect(steps).toBeGreaterThanOrEqual(25);
    expect(lockHoldsOf(db).count - holdsBefore).toBe(steps);
    expect(count(db, "SELECT count(*) AS n FROM alerts WHERE state = 'open'")).toBe(1000);
    expect(sent).toHaveLength(1000);
    // The version is recorded once the whole pass is done.
    expect(count(db, "SELECT count(*) AS n FROM rule_versions WHERE rule = 'sold-out'")).toBe(1);
    other.close();
    db.close();
  });

  it("a pass cut short by a restart is finished by the next engine without a second alert", () => {
    const first = setup();
    first.engine.schedule("reconcile");
    for (let i = 0; i < 10; i++) first.engine.step();
    const openedBefore = count(first.db, "SELECT count(*) AS n FROM alerts WHERE state = 'open'");
    expect(openedBefore).toBeGreaterThan(0);
    expect(openedBefore).toBeLessThan(1000);
    // Not recorded yet: a restart must go over the products again.
    expect(count(first.db, "SELECT count(*) AS n FROM rule_versions")).toBe(0);
    first.db.close();

    const second = setup(first.path);
    second.engine.reconcile();
    expect(count(second.db, "SELECT count(*) AS n FROM alerts WHERE state = 'open'")).toBe(1000);
    expect(count(second.db, "SELECT count(*) AS n FROM alerts")).toBe(1000);
    expect(first.sent.length + second.sent.length).toBe(1000);
    second.db.close();
  });

  it("a reminder round over 1,000 open alerts is cut into slices and reminds each once", () => {
    const { db, clock, sent, engine } = setup();
    engine.reconcile();
    sent.length = 0;
    clock.advance(H + 1);
    engine.schedule("tick");
    let steps = 0;
    let reminded = 0;
    for (let stats = engine.step(); stats !== null; stats = engine.step()) {
      steps++;
      expect(stats.reminded).toBeLessThanOrEqual(40);
      reminded += stats.reminded;
    }
    expect(steps).toBeGreaterThanOrEqual(25);
    expect(reminded).toBe(1000);
    expect(sent).toHaveLength(1000);
    expect(engine.tick().reminded).toBe(0);
    db.close();
  });

  it("a slice never stops before doing something, even with no time budget at all", () => {
    const db = openDatabase(tempDbPath());
    const rules = makeRules(SOLD_OUT);
    const products = Array.from({ length: 120 }, (_, i) => snapshot(`Q-${i}`, 0));
    const engine = createRulesEngine({
      db,
      clock: new FixedClock(T0),
      logger: silentLogger(),
      getRules: () => rules,
      enqueue: () => undefined,
      getProducts: (offset, limit) => products.slice(offset, offset + limit),
      sliceBudgetMs: 0,
    });
    expect(engine.reconcile().opened).toBe(120);
    db.close();
  });

  it("a rules file with globs that backtrack catastrophically in a RegExp evaluates 40-character codes at once", () => {
    // With globs compiled to RegExps, each of these changes took seconds (13 s measured for one
    // code) inside the engine's write transaction; the vitest timeout ends this test long before.
    const db = openDatabase(tempDbPath());
    const rules = makeRules(`  - name: pathological
    when: { level: soldOut, products: ["*a*a*a*a*a*a*a*a*a*a*b", "*a*a*a*a*a*a*a*a*a*a*a*a*c"] }
    notify: [warehouse]
  - name: pathological-event
    when: { event: "*a*a*a*a*a*a*a*a*a*a*z" }
    notify: [warehouse]
`);
    const sent: NewOutboxMessage[] = [];
    const engine = createRulesEngine({ db, clock: new FixedClock(T0), logger: silentLogger(), getRules: () => rules, enqueue: (m) => sent.push(m) });
    const codes = Array.from({ length: 20 }, (_, i) => `${"a".repeat(38)}${String(i).padStart(2, "0")}`);
    const stats = engine.onStockChanges(codes.map((code) => ({ eshopId: 1, code, previous: null, current: snapshot(code, 0), cause: { event: "stock:soldOut", eventId: null }, at: T0 })));
    expect(stats.opened).toBe(0);
    // A code that does match still opens its alert.
    expect(engine.onStockChanges([{ eshopId: 1, code: `${"a".repeat(38)}b`, previous: null, current: snapshot(`${"a".repeat(38)}b`, 0), cause: { event: "stock:soldOut", eventId: null }, at: T0 }]).opened).toBe(1);
    expect(sent).toHaveLength(1);
    db.close();
  });
});
