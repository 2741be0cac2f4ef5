import { describe, expect, it } from "vitest";
import type { VelocityEstimate } from "../../../src/forecast/forecast-types.js";
import { summarize } from "../../../src/rules/alert-messages.js";
import { ruleChecksum } from "../../../src/rules/compile-rules.js";
import { evaluateStockChange, type OpenAlert } from "../../../src/rules/evaluate-stock.js";
import { loadRulesText } from "../../../src/rules/load-rules.js";
import { formatRuleError } from "../../../src/rules/rules-types.js";
import { CHANNELS, change, makeRules, snapshot } from "../../helpers/make-rules.js";

const T0 = Date.parse("2025-11-28T09:00:00Z");

function errors(yaml: string): string[] {
  const result = loadRulesText(yaml, "rules.yaml");
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors.map((e) => formatRuleError(e));
}

describe("daysOfCover in the rules file", () => {
  it("compiles with defaults from the forecast block, lead times by first matching glob", () => {
    const rules = makeRules(
      `  - name: running-low
    when: { daysOfCover: { below: 7, clearAbove: 10 } }
    notify: [warehouse]
  - name: reorder
    when:
      products: ["KAV-*"]
      daysOfCover: { belowLeadTime: true, safety: 3d, clearMargin: 2d, window: 56d, minSales: 20 }
    notify: [managers]
forecast:
  window: 14d
  minSales: 3
  salesBy: [customer, api]
  reorderFor: 21d
  leadTimes:
    - { products: ["KAV-ESP*"], leadTime: 5d }
    - { products: ["KAV-*", "CAJ-*"], leadTime: 10d }
`,
    );
    const low = rules.rule("running-low")!;
    const reorder = rules.rule("reorder")!;
    if (low.kind !== "stock" || reorder.kind !== "stock") throw new Error("stock rules expected");
    expect(low.when.cover).toEqual({ belowDays: 7, belowLeadTime: false, safetyDays: 0, clearAboveDays: 10, clearMarginDays: null, windowDays: 14, minSales: 3 });
    expect(reorder.when.cover).toEqual({ belowDays: null, belowLeadTime: true, safetyDays: 3, clearAboveDays: null, clearMarginDays: 2, windowDays: 56, minSales: 20 });
    expect(rules.forecast.settings).toEqual({ windowDays: 14, minSales: 3, salesBy: ["customer", "api"], reorderForDays: 21 });
    expect(["KAV-ESP1", "KAV-1", "CAJ-2", "MUG-1"].map((c) => rules.forecast.leadTimeFor(c))).toEqual([5, 10, 10, null]);
  });

  it("defaults without a forecast block: 28 days, minSales 5, customer sales, no lead times", () => {
    const rules = makeRules(`  - name: x\n    when: { daysOfCover: { below: 7 } }\n    notify: [warehouse]\n`);
    expect(rules.forecast.settings).toEqual({ windowDays: 28, minSales: 5, salesBy: ["customer"], reorderForDays: 30 });
    expect(rules.forecast.leadTimeFor("KAV-1")).toBeNull();
  });

  it("leaves the checksum of rules without daysOfCover as it was, and changes it with the forecast settings that matter", () => {
    const rule = { name: "low", when: { quantity: { below: 20 } }, notify: "warehouse" };
    expect(ruleChecksum(rule)).toBe(ruleChecksum(rule, { windowDays: 56, minSales: 1, salesBy: ["admin"], reorderForDays: 30 }));
    const cover = { name: "cover", when: { daysOfCover: { below: 7 } }, notify: "warehouse" };
    const base = { windowDays: 28, minSales: 5, salesBy: ["customer" as const], reorderForDays: 30 };
    expect(ruleChecksum(cover, base)).not.toBe(ruleChecksum(cover, { ...base, windowDays: 14 }));
    expect(ruleChecksum(cover, base)).toBe(ruleChecksum(cover, { ...base, reorderForDays: 60 }));
  });

  it("says exactly what is wrong and where", () => {
    const yaml = `${CHANNELS}forecast:
  salesBy: [customer, shop]
  window: 36h
  leadTime: 10d
rules:
  - name: both
    when: { daysOfCover: { below: 7, belowLeadTime: true } }
    notify: [warehouse]
  - name: neither
    when:
      daysOfCover: { window: 28d, minSale: 5 }
    notify: [warehouse]
  - name: quantity-clear
    when: { daysOfCover: { below: 7 } }
    clearAbove: 10
    notify: [warehouse]
  - name: margin-without-lead
    when: { daysOfCover: { below: 7, clearAbove: 5, safety: 2d } }
    notify: [warehouse]
  - name: event-cover
    when: { event: "order:*", daysOfCover: { below: 7 } }
    notify: [warehouse]
`;
    expect(errors(yaml)).toEqual([
      'rules.yaml:6:23: forecast.salesBy[1]: expected one of customer, admin, api, email, none, got "shop"',
      "rules.yaml:7:11: forecast.window: 36h is not a whole number of days; sales are counted per day, write e.g. 28d",
      'rules.yaml:8:3: forecast.leadTime: unknown key "leadTime" (did you mean "leadTimes"?); allowed here: window, minSales, salesBy, leadTimes, reorderFor',
      'rules.yaml:11:38: rules[0].when.daysOfCover.belowLeadTime: use either "below" or "belowLeadTime", not both',
      "rules.yaml:11:38: rules[0].when.daysOfCover.belowLeadTime: belowLeadTime needs lead times: add at the top level forecast: {leadTimes: [{products: [\"*\"], leadTime: 14d}]}",
      "rules.yaml:15:20: rules[1].when.daysOfCover: say when it holds: below: 7 (days of cover), or belowLeadTime: true (less than the product's lead time + safety)",
      'rules.yaml:15:35: rules[1].when.daysOfCover.minSale: unknown key "minSale" (did you mean "minSales"?); allowed here: below, belowLeadTime, safety, clearAbove, clearMargin, window, minSales',
      'rules.yaml:19:5: rules[2].clearAbove: "clearAbove" here is a quantity, and this rule has no quantity condition; for days of cover write it inside daysOfCover, e.g. daysOfCover: {below: 7, clearAbove: 10}',
      "rules.yaml:22:50: rules[3].when.daysOfCover.clearAbove: 5 is below the threshold (7); clearAbove must be at or above it so the alert can close",
      'rules.yaml:22:53: rules[3].when.daysOfCover.safety: "safety" adds to the lead time and needs belowLeadTime: true; with below: <days>, raise the number',
      'rules.yaml:25:31: rules[4].when.daysOfCover: "daysOfCover" is a stock condition and cannot be combined with "event"; or split this into two rules',
    ]);
  });

  it("refuses windows shorter than a week and a threshold of 0 days", () => {
    const yaml = `${CHANNELS}rules:
  - name: short
    when: { daysOfCover: { below: 0, window: 3d } }
    notify: [warehouse]
`;
    expect(errors(yaml)).toEqual([
      "rules.yaml:7:35: rules[0].when.daysOfCover.below: never true: the cover is never below 0 days; for sold-out products use level: soldOut",
      "rules.yaml:7:46: rules[0].when.daysOfCover.window: 3d is outside 7d…365d; a forecast needs at least a week of history",
    ]);
  });
});

describe("evaluating daysOfCover (pure)", () => {
  const rules = makeRules(
    `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
  - name: running-low
    when: { daysOfCover: { below: 7, clearAbove: 10 } }
    notify: [warehouse]
  - name: reorder
    when: { daysOfCover: { belowLeadTime: true, safety: 2d } }
    notify: [managers]
forecast:
  leadTimes: [{ products: ["KAV-*"], leadTime: 10d }]
`,
  );
  const steady = (v: number, sold = 150): VelocityEstimate => ({ velocityPerDay: v, sold, inStockDays: 28, windowDays: 28, blockRates: [v, v, v, v] });
  const open = (rule: string): OpenAlert => ({ id: 1, rule, checksum: rules.rule(rule)!.checksum, eshopId: 1, subject: "KAV-1", openedAt: T0, lastNotifiedAt: T0, reminders: 0, suppressed: false });
  const decide = (quantity: number, v: VelocityEstimate | null, alerts: OpenAlert[] = [], code = "KAV-1") =>
    evaluateStockChange(change(snapshot(code, quantity), T0), rules, alerts, T0, () => v).map((d) => `${d.ruleName}:${d.transition}`);

  it("opens below the threshold, from lead time + safety for lead-time rules", () => {
    expect(decide(72, steady(6))).toEqual([]); // 12 days: not below 12 (lead 10 + safety 2)
    expect(decide(66, steady(6))).toEqual(["reorder:open"]); // 11 days
    expect(decide(36, steady(6))).toEqual(["running-low:open", "reorder:open"]); // 6 days
    expect(decide(36, steady(6), [], "CAJ-1")).toEqual(["running-low:open"]); // no lead time for CAJ-*
  });

  it("keeps an open alert inside clearAbove and resolves above it", () => {
    expect(decide(54, steady(6), [open("running-low")])).toEqual(["running-low:none", "reorder:open"]); // 9 days
    expect(decide(66, steady(6), [open("running-low")])).toEqual(["running-low:resolve", "reorder:open"]); // 11 days
  });

  it("stays quiet with too little history, without a forecast, or when the product does not sell", () => {
    expect(decide(6, steady(6, 4))).toEqual([]);
    expect(decide(6, null)).toEqual([]);
    expect(decide(6, steady(0))).toEqual([]);
    expect(decide(6, { ...steady(1), velocityPerDay: null })).toEqual([]);
  });

  it("is silenced by the sold-out alert like other stock rules", () => {
    expect(decide(0, steady(6))).toEqual(["sold-out:open"]);
  });

  it("records the forecast with the alert and shows it in the summary", () => {
    const d = evaluateStockChange(change(snapshot("KAV-1", 24), T0), rules, [], T0, () => steady(6));
    expect(d[0]!.values.forecast).toEqual({
      velocityPerDay: 6,
      daysOfCover: 4,
      sold: 150,
      windowDays: 28,
      leadTimeDays: null,
      safetyDays: 0,
      thresholdDays: 7,
      runOutAt: T0 + 4 * 86_400_000,
    });
    expect(d[1]!.values.forecast).toMatchObject({ leadTimeDays: 10, safetyDays: 2, thresholdDays: 12 });
    const subject = { eshopId: 1, code: "KAV-1", name: "Colombia", quantity: 24, minStockSupply: 5, level: "low" as const };
    expect(summarize(rules.rule("running-low")!, "open", subject, undefined, "≈ 4 days left")).toBe("running-low: KAV-1 Colombia (≈ 4 days left, 24 in stock)");
    expect(summarize(rules.rule("running-low")!, "resolve", subject, undefined, "≈ 12 days left")).toBe(
      "Resolved — running-low: KAV-1 Colombia (now ≈ 12 days left, 24 in stock)",
    );
  });
});
