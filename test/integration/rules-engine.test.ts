import { describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import type { NewOutboxMessage } from "../../src/outbox/outbox-types.js";
import { listAlerts } from "../../src/store/sqlite/alert-store.js";
import { createRulesEngine } from "../../src/rules/rules-engine.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import type { ProductSnapshot } from "../../src/stock/stock-types.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { change, makeRules, snapshot } from "../helpers/make-rules.js";

const H = 3_600_000;
const T0 = Date.parse("2025-01-15T10:00:00Z");

const RULES = `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    severity: critical
  - name: coffee-low
    when: { products: ["KAV-*"], quantity: { below: 20 } }
    notify: [warehouse, managers]
    repeat: 12h
    suppressWhenSoldOut: false
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [managers]
  - name: coupon
    when: { event: "discountCoupon:*" }
    notify: [managers]
    cooldown: 1h
`;

function setup(rulesText = RULES, products: ProductSnapshot[] = []) {
  const db = openDatabase(tempDbPath());
  const clock = new FixedClock(T0);
  const sent: NewOutboxMessage[] = [];
  let rules: CompiledRules = makeRules(rulesText);
  const engine = createRulesEngine({
    db,
    clock,
    logger: silentLogger(),
    getRules: () => rules,
    enqueue: (m) => sent.push(m),
    getProducts: (offset, limit) => products.slice(offset, offset + limit),
  });
  return { db, clock, sent, engine, setRules: (text: string) => (rules = makeRules(text)) };
}

const openAlerts = (db: Db) => listAlerts(db, { state: "open", limit: 100 }).map((a) => `${a.rule}/${a.subject}`).sort();

describe("rules engine on a real SQLite file", () => {
  it("writes alert rows and their messages, then resolves with an update of the same incident", () => {
    const { db, clock, sent, engine } = setup();
    const stats = engine.onStockChanges([change(snapshot("KAV-1", 0), T0), change(snapshot("CAJ-1", 50), T0)]);
    expect(stats).toMatchObject({ opened: 2, messages: 3 });
    const alerts = listAlerts(db, { state: "open", limit: 10 });
    expect(alerts.map((a) => [a.rule, a.subject, a.severity, a.kind])).toEqual([
      ["coffee-low", "KAV-1", "warning", "stock"],
      ["sold-out", "KAV-1", "critical", "stock"],
    ]);
    expect(alerts[1]).toMatchObject({ eshopId: 1, state: "open", openedAt: new Date(T0).toISOString(), resolvedAt: null, lastValues: { quantity: 0, level: "soldOut", minStockSupply: 5 } });
    const soldOutId = alerts[1]!.id;
    expect(sent.map((m) => `${m.dedupeKey} ${m.groupKey} ${m.notBefore - T0}`)).toEqual([
      `alert:${soldOutId}:open:warehouse sold-out:warehouse:open 30000`,
      `alert:${alerts[0]!.id}:open:warehouse coffee-low:warehouse:open 30000`,
      `alert:${alerts[0]!.id}:open:managers coffee-low:managers:open 30000`,
    ]);

    clock.advance(H);
    sent.length = 0;
    engine.onStockChanges([change(snapshot("KAV-1", 40), clock.now())]);
    expect(openAlerts(db)).toEqual([]);
    const resolved = listAlerts(db, { state: "resolved", limit: 10 });
    expect(resolved.map((a) => [a.rule, a.resolvedAt, a.resolvedReason])).toEqual([
      ["coffee-low", new Date(T0 + H).toISOString(), "condition"],
      ["sold-out", new Date(T0 + H).toISOString(), "condition"],
    ]);
    expect(sent.map((m) => [m.body.kind === "alert" && m.body.transition, m.incidentKey])).toEqual([
      ["resolve", `alert:${soldOutId}`],
      ["resolve", `alert:${alerts[0]!.id}`],
      ["resolve", `alert:${alerts[0]!.id}`],
    ]);
  });

  it("commits with the caller's transaction, and rolls back with it", () => {
    const { db, sent, engine } = setup();
    const outer = db.transaction(() => {
      engine.onStockChanges([change(snapshot("A", 0), T0)]);
      throw new Error("stock worker failed later in its transaction");
    });
    expect(() => outer()).toThrow(/failed later/);
    expect(openAlerts(db)).toEqual([]);
    sent.length = 0;
    db.transaction(() => engine.onStockChanges([change(snapshot("A", 0), T0)]))();
    expect(openAlerts(db)).toEqual(["sold-out/A"]);
  });

  it("a failing enqueue leaves no alert behind", () => {
    const db = openDatabase(tempDbPath());
    const rules = makeRules(RULES);
    const engine = createRulesEngine({ db, clock: new FixedClock(T0), logger: silentLogger(), getRules: () => rules, enqueue: () => { throw new Error("outbox full"); } });
    expect(() => engine.onStockChanges([change(snapshot("A", 0), T0)])).toThrow(/outbox full/);
    expect(openAlerts(db)).toEqual([]);
  });

  it("tick() reminds open alerts every `repeat` even without stock changes", () => {
    const { clock, sent, engine } = setup();
    engine.onStockChanges([change(snapshot("KAV-1", 10), T0)]);
    sent.length = 0;
    clock.advance(11 * H);
    expect(engine.tick().reminded).toBe(0);
    clock.advance(H);
    expect(engine.tick().reminded).toBe(1);
    expect(sent.map((m) => m.dedupeKey)).toEqual([expect.stringMatching(/:remind:1:warehouse$/), expect.stringMatching(/:remind:1:managers$/)]);
    expect(engine.tick().reminded).toBe(0);
  });

  it("event rules: one alert and message per event, nothing twice for a re-fed event, cooldown per subject", () => {
    const { db, sent, engine } = setup();
    const e = (id: number, event: string, instance: string, at: number) => ({ id, eshopId: 1, event, eventInstance: instance, receivedAt: at });
    const first = engine.onEvents([e(1, "order:cancel", "2025001", T0), e(2, "order:create", "2025002", T0), e(3, "discountCoupon:update", "SALE", T0)]);
    expect(first).toMatchObject({ fired: 2, messages: 2 });
    expect(engine.onEvents([e(1, "order:cancel", "2025001", T0)])).toMatchObject({ fired: 0, messages: 0 });
    expect(engine.onEvents([e(4, "discountCoupon:update", "SALE", T0 + 10 * 60_000)])).toMatchObject({ fired: 0, held: 1 });
    expect(engine.onEvents([e(5, "discountCoupon:update", "SALE", T0 + H)])).toMatchObject({ fired: 1 });
    const alerts = listAlerts(db, { limit: 10 });
    expect(alerts.map((a) => [a.rule, a.kind, a.subject, a.state, a.eventId])).toEqual([
      ["coupon", "event", "SALE", "resolved", 5],
      ["coupon", "event", "SALE", "resolved", 3],
      ["order-cancelled", "event", "2025001", "resolved", 1],
    ]);
    expect(sent[0]).toMatchObject({ channel: "managers", body: { transition: "open", event: { type: "order:cancel", instance: "2025001", eventId: 1 }, summary: "order-cancelled: order:cancel 2025001" } });
  });

  it("hot reload: an edited rule starts fresh, an unchanged one keeps its open alerts, a new one sees current stock", () => {
    const products = [snapshot("KAV-1", 0), snapshot("CAJ-1", 3)];
    const { db, sent, engine, setRules } = setup(RULES, products);
    engine.onStockChanges(products.map((p) => change(p, T0)));
    expect(openAlerts(db)).toEqual(["coffee-low/KAV-1", "sold-out/KAV-1"]);
    const before = listAlerts(db, { state: "open", limit: 10 });
    sent.length = 0;

    setRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [managers]
    severity: warning
  - name: coffee-low
    when: { products: ["KAV-*"], quantity: { below: 10 } }
    notify: [warehouse]
    suppressWhenSoldOut: false
  - name: below-minimum
    when: { level: low }
    notify: [warehouse]
`);
    const stats = engine.reconcile();
    expect(stats).toMatchObject({ expired: 1, opened: 2 });
    const after = listAlerts(db, { state: "open", limit: 10 });
    // sold-out changed only notify/severity: same alert row kept.
    expect(after.find((a) => a.rule === "sold-out")!.id).toBe(before.find((a) => a.rule === "sold-out")!.id);
    expect(openAlerts(db)).toEqual(["below-minimum/CAJ-1", "coffee-low/KAV-1", "sold-out/KAV-1"]);
    expect(listAlerts(db, { state: "resolved", limit: 10 }).map((a) => [a.rule, a.resolvedReason])).toEqual([["coffee-low", "rule-changed"]]);
    // Fresh coffee-low opened for KAV-1 (its new condition holds); below-minimum for CAJ-1 only (KAV-1 is sold out).
    expect(sent.map((m) => m.body.kind === "alert" && `${m.body.rule}:${m.body.transition}:${m.body.subject.code}`)).toEqual([
      "coffee-low:open:KAV-1",
      "below-minimum:open:CAJ-1",
    ]);

    // A second engine on the same database (a restart) with the same rules changes nothing.
    const again = createRulesEngine({ db, clock: new FixedClock(T0), logger: silentLogger(), getRules: () => makeRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [managers]
    severity: warning
  - name: coffee-low
    when: { products: ["KAV-*"], quantity: { below: 10 } }
    notify: [warehouse]
    suppressWhenSoldOut: false
  - name: below-minimum
    when: { level: low }
    notify: [warehouse]
`), enqueue: () => { throw new Error("nothing to send"); }, getProducts: (offset, limit) => products.slice(offset, offset + limit) });
    expect(again.reconcile()).toMatchObject({ expired: 0, opened: 0, messages: 0 });
  });

  it("a removed rule's open alerts are closed silently", () => {
    const { db, sent, engine, setRules } = setup();
    engine.onStockChanges([change(snapshot("A", 0), T0)]);
    sent.length = 0;
    setRules(`  - name: other\n    when: { level: low }\n    notify: [warehouse]\n`);
    engine.onStockChanges([]);
    expect(listAlerts(db, { limit: 10 }).map((a) => [a.rule, a.state, a.resolvedReason])).toEqual([["sold-out", "resolved", "rule-removed"]]);
    expect(sent).toEqual([]);
  });

  it("listAlerts pages newest first and filters", () => {
    const { db, engine } = setup();
    engine.onStockChanges(["A", "B", "C"].map((c) => change(snapshot(c, 0), T0)));
    const page1 = listAlerts(db, { state: "open", limit: 2 });
    expect(page1.map((a) => a.subject)).toEqual(["C", "B"]);
    expect(listAlerts(db, { state: "open", limit: 2, before: page1[1]!.id }).map((a) => a.subject)).toEqual(["A"]);
    expect(listAlerts(db, { rule: "coffee-low", limit: 10 })).toEqual([]);
  });
});
