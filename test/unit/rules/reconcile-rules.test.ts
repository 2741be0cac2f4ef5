import { describe, expect, it } from "vitest";
import {
  freshRules,
  isNewRulesVersion,
  needsProductPass,
  nextRound,
  openAlertVerdict,
  productNeedsPass,
  versionUpdates,
} from "../../../src/rules/reconcile-rules.js";
import { makeRules } from "../../helpers/make-rules.js";

const RULES = `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: coffee-low
    when: { products: ["KAV-*"], level: low }
    notify: [warehouse]
  - name: cancelled
    when: { event: order:cancel }
    notify: [managers]
`;
const rules = makeRules(RULES);
const sum = (name: string) => rules.rule(name)!.checksum;
const kind = (name: string) => rules.rule(name)!.kind;
const eventOnly = makeRules(`  - name: cancelled
    when: { event: order:cancel }
    notify: [managers]
`);

describe("openAlertVerdict: an open alert under a new rules version", () => {
  it.each([
    { name: "same rule, same checksum and kind: kept", alert: { rule: "sold-out", checksum: sum("sold-out"), kind: kind("sold-out") }, expected: "keep" },
    { name: "rule edited (checksum differs): resolved as changed", alert: { rule: "sold-out", checksum: "old", kind: kind("sold-out") }, expected: "rule-changed" },
    { name: "rule now of another kind: resolved as changed", alert: { rule: "cancelled", checksum: sum("cancelled"), kind: "stock" }, expected: "rule-changed" },
    { name: "rule gone: resolved as removed", alert: { rule: "gone", checksum: "x", kind: "stock" }, expected: "rule-removed" },
  ])("$name", ({ alert, expected }) => {
    expect(kind("sold-out")).not.toBe(kind("cancelled"));
    expect(openAlertVerdict(rules, alert)).toBe(expected);
  });
});

describe("freshRules: which rules are evaluated against every product", () => {
  it.each([
    { name: "nothing applied yet: all", applied: new Map<string, string>(), expected: ["sold-out", "coffee-low", "cancelled"] },
    {
      name: "all applied at their checksums: none",
      applied: new Map([["sold-out", sum("sold-out")], ["coffee-low", sum("coffee-low")], ["cancelled", sum("cancelled")]]),
      expected: [],
    },
    { name: "one edited: that one", applied: new Map([["sold-out", "old"], ["coffee-low", sum("coffee-low")], ["cancelled", sum("cancelled")]]), expected: ["sold-out"] },
  ])("$name", ({ applied, expected }) => {
    expect([...freshRules(rules, applied)]).toEqual(expected);
  });
});

describe("the product pass", () => {
  it.each([
    { name: "a fresh stock rule and products to read: yes", fresh: ["sold-out"], canRead: true, expected: true },
    { name: "no product source: no", fresh: ["sold-out"], canRead: false, expected: false },
    { name: "only an event rule is fresh: no", fresh: ["cancelled"], canRead: true, expected: false },
    { name: "nothing fresh: no", fresh: [], canRead: true, expected: false },
  ])("needsProductPass: $name", ({ fresh, canRead, expected }) => {
    expect(needsProductPass(rules, new Set(fresh), canRead)).toBe(expected);
  });

  it.each([
    { name: "a product matching a fresh rule", code: "KAV-1", fresh: ["coffee-low"], expected: true },
    { name: "a product outside the fresh rule's globs", code: "CAJ-1", fresh: ["coffee-low"], expected: false },
    { name: "any product for a fresh rule on every product", code: "CAJ-1", fresh: ["sold-out"], expected: true },
    { name: "a fresh event rule evaluates no product", code: "KAV-1", fresh: ["cancelled"], expected: false },
  ])("productNeedsPass: $name", ({ code, fresh, expected }) => {
    expect(productNeedsPass(rules, code, new Set(fresh))).toBe(expected);
  });
});

describe("versionUpdates: the applied versions at the end of a pass", () => {
  it.each([
    {
      name: "fresh rules recorded, removed ones forgotten, unchanged ones left",
      rules,
      applied: new Map([["sold-out", "old"], ["coffee-low", sum("coffee-low")], ["gone", "x"]]),
      fresh: ["sold-out", "cancelled"],
      expected: { set: [{ rule: "sold-out", checksum: sum("sold-out") }, { rule: "cancelled", checksum: sum("cancelled") }], remove: ["gone"] },
    },
    {
      name: "rules file shrinks to one rule",
      rules: eventOnly,
      applied: new Map([["sold-out", "a"], ["coffee-low", "b"], ["cancelled", eventOnly.rule("cancelled")!.checksum]]),
      fresh: [],
      expected: { set: [], remove: ["sold-out", "coffee-low"] },
    },
  ])("$name", ({ rules: r, applied, fresh, expected }) => {
    expect(versionUpdates(r, applied, new Set(fresh))).toEqual(expected);
  });
});

describe("isNewRulesVersion", () => {
  const again = makeRules(RULES);
  it.each([
    { name: "no pass yet", current: rules, reconciled: null, expected: true },
    { name: "the same object", current: rules, reconciled: rules, expected: false },
    { name: "the same text loaded again (a new object alone is no change)", current: again, reconciled: rules, expected: false },
    { name: "another version", current: eventOnly, reconciled: rules, expected: true },
  ])("$name → $expected", ({ current, reconciled, expected }) => {
    expect(isNewRulesVersion(current, reconciled)).toBe(expected);
  });
});

describe("nextRound: a reminder round asked for", () => {
  const recheckMs = 15 * 60_000;
  it.each([
    { name: "first tick: a new round with a re-check", round: null, now: 1_000, last: -Infinity, expected: { round: { cursor: 0, recheck: true }, lastRecheck: 1_000 } },
    { name: "soon after: a new round without", round: null, now: 60_000, last: 1_000, expected: { round: { cursor: 0, recheck: false }, lastRecheck: 1_000 } },
    { name: "a re-check is due again after recheckMs", round: null, now: 1_000 + recheckMs, last: 1_000, expected: { round: { cursor: 0, recheck: true }, lastRecheck: 1_000 + recheckMs } },
    {
      name: "a round under way goes on from its cursor, keeping its re-check",
      round: { cursor: 42, recheck: true },
      now: 60_000,
      last: 1_000,
      expected: { round: { cursor: 42, recheck: true }, lastRecheck: 1_000 },
    },
    {
      name: "a round under way picks up a re-check asked for now",
      round: { cursor: 42, recheck: false },
      now: 1_000 + recheckMs,
      last: 1_000,
      expected: { round: { cursor: 42, recheck: true }, lastRecheck: 1_000 + recheckMs },
    },
  ])("$name", ({ round, now, last, expected }) => {
    expect(nextRound(round, now, last, recheckMs)).toEqual(expected);
  });
});
