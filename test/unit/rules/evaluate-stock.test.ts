import { describe, expect, it } from "vitest";
import { evaluateStockChange, type OpenAlert } from "../../../src/rules/evaluate-stock.js";
import type { CompiledRules } from "../../../src/rules/rules-types.js";
import type { ProductSnapshot } from "../../../src/stock/stock-types.js";
import { change, makeRules, snapshot } from "../../helpers/make-rules.js";

const H = 3_600_000;

/** Feeds snapshots of ONE product through the rules; returns "rule:transition" per step (none omitted). */
function simulate(rules: CompiledRules, steps: [number, ProductSnapshot][]): string[][] {
  let open: OpenAlert[] = [];
  let id = 1;
  return steps.map(([at, snap]) => {
    const decisions = evaluateStockChange(change(snap, at), rules, open, at);
    const out: string[] = [];
    for (const d of decisions) {
      if (d.transition === "open") open.push({ id: id++, rule: d.ruleName, checksum: d.rule!.checksum, eshopId: d.eshopId, subject: d.subject, ...d.next! });
      else if (d.transition === "resolve" || d.transition === "expire") open = open.filter((a) => a !== d.previous);
      else Object.assign(d.previous!, d.next);
      if (d.transition !== "none") out.push(`${d.ruleName}:${d.transition}${d.notify || d.transition === "expire" ? "" : " (silent)"}`);
    }
    return out;
  });
}

describe("evaluateStockChange", () => {
  it("opens, reminds and resolves per the core example", () => {
    const rules = makeRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: coffee-running-low
    when: { products: ["KAV-*"], quantity: { below: 20 } }
    notify: [warehouse]
    repeat: 12h
    suppressWhenSoldOut: false
`);
    expect(
      simulate(rules, [
        [0, snapshot("KAV-1", 25)],
        [1 * H, snapshot("KAV-1", 19)],
        [2 * H, snapshot("KAV-1", 15)],
        [13 * H, snapshot("KAV-1", 14)],
        [14 * H, snapshot("KAV-1", 0)],
        [15 * H, snapshot("KAV-1", 30)],
      ]),
    ).toEqual([
      [],
      ["coffee-running-low:open"],
      [],
      ["coffee-running-low:remind"],
      ["sold-out:open"],
      ["sold-out:resolve", "coffee-running-low:resolve"],
    ]);
  });

  it("hysteresis: stock hovering at the threshold does not flap", () => {
    const rules = makeRules(`  - name: low
    when: { quantity: { below: 20 } }
    notify: [warehouse]
    clearAbove: 25
`);
    expect(
      simulate(rules, [19, 21, 19, 24, 25, 26, 24, 19].map((q, i) => [i, snapshot("X", q)] as [number, ProductSnapshot])),
    ).toEqual([["low:open"], [], [], [], [], ["low:resolve"], [], ["low:open"]]);
  });

  it("without hysteresis the same stock flaps", () => {
    const rules = makeRules(`  - name: low\n    when: { quantity: { below: 20 } }\n    notify: [warehouse]\n`);
    expect(simulate(rules, [19, 21, 19].map((q, i) => [i, snapshot("X", q)] as [number, ProductSnapshot]))).toEqual([
      ["low:open"],
      ["low:resolve"],
      ["low:open"],
    ]);
  });

  describe("sold out suppresses low", () => {
    const rules = makeRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: below-minimum
    when: { level: low }
    notify: [warehouse]
    repeat: 1h
`);
    it("straight to sold out: only the sold-out alert; low opens once it is merely low", () => {
      expect(simulate(rules, [[0, snapshot("A", 10)], [1, snapshot("A", 0)], [2, snapshot("A", 3)], [3, snapshot("A", 10)]])).toEqual([
        [],
        ["sold-out:open"],
        ["sold-out:resolve", "below-minimum:open"],
        ["below-minimum:resolve"],
      ]);
    });
    it("low first, then sold out: low stays open silently and does not remind", () => {
      expect(
        simulate(rules, [[0, snapshot("A", 3)], [1, snapshot("A", 0)], [3 * H, snapshot("A", 0)], [4 * H, snapshot("A", 2)], [5 * H, snapshot("A", 9)]]),
      ).toEqual([["below-minimum:open"], ["sold-out:open"], [], ["sold-out:resolve", "below-minimum:remind"], ["below-minimum:resolve"]]);
    });
    it("a rule opts out with suppressWhenSoldOut: false", () => {
      const optOut = makeRules(`  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: below-minimum
    when: { level: low }
    notify: [warehouse]
    suppressWhenSoldOut: false
`);
      expect(simulate(optOut, [[0, snapshot("A", 0)]])).toEqual([["sold-out:open", "below-minimum:open"]]);
    });
    it("only when a sold-out rule covers the product", () => {
      const narrow = makeRules(`  - name: sold-out
    when: { level: soldOut, products: ["KAV-*"] }
    notify: [warehouse]
  - name: below-minimum
    when: { level: low }
    notify: [warehouse]
`);
      expect(simulate(narrow, [[0, snapshot("CAJ-1", 0)]])).toEqual([["below-minimum:open"]]);
    });
  });

  it("per-warehouse quantities with `stocks`", () => {
    const rules = makeRules(`  - name: shop-floor-empty
    when: { stocks: [1, 3], quantity: { atOrBelow: 0 } }
    notify: [warehouse]
`);
    expect(
      simulate(rules, [
        [0, snapshot("A", 10, 5, { "1": 5, "2": 0, "3": 5 })],
        [1, snapshot("A", 10, 5, { "1": 0, "2": 5, "3": 5 })],
        [2, snapshot("A", 10, 5, { "1": 5, "2": 5 })],
        [3, snapshot("A", 10, 5, { "1": 5, "2": 0, "3": 5 })],
      ]),
    ).toEqual([[], ["shop-floor-empty:open"], [], ["shop-floor-empty:resolve"]]);
  });

  it("filters by product globs with exclusions and by e-shop", () => {
    const rules = makeRules(`  - name: coffee
    when: { level: soldOut, products: ["KAV-*", "!KAV-TEST*"], eshops: [7] }
    notify: [warehouse]
`);
    const at = (code: string, eshop: number) => evaluateStockChange(change(snapshot(code, 0, 5, {}, eshop), 0), rules, [], 0).map((d) => d.transition);
    expect(at("KAV-1", 7)).toEqual(["open"]);
    expect(at("KAV-TEST-1", 7)).toEqual([]);
    expect(at("KAV-1", 8)).toEqual([]);
    expect(at("CAJ-1", 7)).toEqual([]);
  });

  it("resolve: false closes without a message", () => {
    const rules = makeRules(`  - name: s\n    when: { level: soldOut }\n    notify: [warehouse]\n    resolve: false\n`);
    expect(simulate(rules, [[0, snapshot("A", 0)], [1, snapshot("A", 4)]])).toEqual([["s:open"], ["s:resolve (silent)"]]);
  });

  it("an estimated quantity leaves quantity rules alone but drives level rules", () => {
    const rules = makeRules(`  - name: s\n    when: { level: soldOut }\n    notify: [warehouse]\n  - name: q\n    when: { quantity: { below: 3 } }\n    notify: [warehouse]\n`);
    const estimated = { ...snapshot("A", 0), estimated: true };
    expect(evaluateStockChange(change(estimated, 0), rules, [], 0).map((d) => `${d.ruleName}:${d.transition}`)).toEqual(["s:open"]);
  });

  it("expires an open alert whose rule was removed or edited", () => {
    const rules = makeRules(`  - name: s\n    when: { level: soldOut }\n    notify: [warehouse]\n`);
    const stale: OpenAlert = { id: 9, rule: "s", checksum: "old", eshopId: 1, subject: "A", openedAt: 0, lastNotifiedAt: 0, reminders: 0, suppressed: false };
    const gone: OpenAlert = { ...stale, id: 10, rule: "deleted" };
    const decisions = evaluateStockChange(change(snapshot("A", 0), 5), rules, [stale, gone], 5);
    expect(decisions.map((d) => [d.ruleName, d.transition, d.previous?.id ?? null])).toEqual([
      ["s", "expire", 9],
      ["deleted", "expire", 10],
      ["s", "open", null],
    ]);
  });

  it("records the values the alert was decided on", () => {
    const rules = makeRules(`  - name: w\n    when: { stocks: ["2"], quantity: { below: 1 } }\n    notify: [warehouse]\n`);
    const [d] = evaluateStockChange(change(snapshot("A", 4, 5, { "1": 4, "2": 0 }), 77), rules, [], 80);
    expect(d!.values).toEqual({ name: "Product A", quantity: 4, minStockSupply: 5, level: "low", perStock: { "2": 0 }, cause: "stock:movement", changedAt: 77 });
  });
});
