import { describe, expect, it } from "vitest";
import { evaluateEvent, type RuleEvent } from "../../../src/rules/evaluate-event.js";
import { makeRules } from "../../helpers/make-rules.js";

const ev = (id: number, event: string, instance: string, receivedAt = id * 1000, eshopId = 1): RuleEvent => ({ id, eshopId, event, eventInstance: instance, receivedAt });

describe("evaluateEvent", () => {
  const rules = makeRules(`  - name: cancelled
    when: { event: order:cancel }
    notify: [managers]
  - name: any-order
    when: { event: "order:*", instances: ["2025*"] }
    notify: [managers]
  - name: product-changes
    when: { event: ["product:update", "product:delete"], eshops: [2] }
    notify: [managers]
  - name: coupons
    when: { event: "discountCoupon:*" }
    notify: [managers]
    cooldown: 10m
`);
  const never = () => null;
  const names = (e: RuleEvent) => evaluateEvent(e, rules, never, e.receivedAt).map((d) => d.rule.name);

  it("matches exact types, globs, lists, instances and e-shops", () => {
    expect(names(ev(1, "order:cancel", "2025001"))).toEqual(["cancelled", "any-order"]);
    expect(names(ev(2, "order:cancel", "1999001"))).toEqual(["cancelled"]);
    expect(names(ev(3, "order:create", "2025002"))).toEqual(["any-order"]);
    expect(names(ev(4, "product:update", "guid", 0, 2))).toEqual(["product-changes"]);
    expect(names(ev(5, "product:update", "guid", 0, 1))).toEqual([]);
    expect(names(ev(6, "stock:movement", "1"))).toEqual([]);
  });

  it("one message per event; a cooldown holds repeats of the same subject", () => {
    const last = new Map<string, number>();
    const fire = (e: RuleEvent) => {
      const [d] = evaluateEvent(e, rules, (r, eshop, subject) => last.get(`${r.name}/${eshop}/${subject}`) ?? null, e.receivedAt);
      if (d?.fire) last.set(`${d.rule.name}/${e.eshopId}/${e.eventInstance}`, e.receivedAt);
      return d?.fire;
    };
    const M = 60_000;
    expect(fire(ev(1, "discountCoupon:update", "SALE", 0))).toBe(true);
    expect(fire(ev(2, "discountCoupon:update", "SALE", 5 * M))).toBe(false);
    expect(fire(ev(3, "discountCoupon:update", "OTHER", 5 * M))).toBe(true);
    expect(fire(ev(4, "discountCoupon:delete", "SALE", 10 * M))).toBe(true);
    expect(fire(ev(5, "discountCoupon:update", "SALE", 15 * M))).toBe(false);
  });
});
