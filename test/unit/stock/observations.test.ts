import { describe, expect, it } from "vitest";
import type { Movement } from "../../../src/shoptet/shoptet-types.js";
import { applyMovement, applyTrustedBetaEvent, applyVariantDetail } from "../../../src/stock/observations.js";
import { blankState, settle } from "../../../src/stock/stock-state.js";

const T = Date.parse("2026-03-02T10:00:00Z");

function movement(partial: Partial<Movement>): Movement {
  return {
    id: 1,
    productCode: "KAV-1",
    actualAmountMilli: null,
    amountChangeMilli: null,
    sumAmountMilli: null,
    changedBy: "admin",
    changeTime: T,
    productGuid: null,
    ...partial,
  };
}

describe("applyMovement", () => {
  it("takes the warehouse amount and the total from the movement (absolute, replay-safe)", () => {
    const s = blankState(1, "KAV-1", T);
    const m = movement({ actualAmountMilli: 4000, amountChangeMilli: -1000, sumAmountMilli: 9000, productGuid: "g" });
    applyMovement(s, 1, m);
    applyMovement(s, 1, m);
    expect(s.quantityMilli).toBe(9000);
    expect(s.perStock.get(1)).toEqual({ amountMilli: 4000, changedAt: T });
    expect(s.guid).toBe("g");
  });

  it("keeps a newer total when an older movement of another warehouse is read later", () => {
    const s = blankState(1, "KAV-1", T);
    applyMovement(s, 2, movement({ id: 9, actualAmountMilli: 0, sumAmountMilli: 0, changeTime: T + 60_000 }));
    applyMovement(s, 1, movement({ id: 5, actualAmountMilli: 3000, sumAmountMilli: 5000, changeTime: T }));
    expect(s.quantityMilli).toBe(0);
    expect(s.perStock.get(1)?.amountMilli).toBe(3000);
  });

  it("keeps the later total when two warehouses' movements of one second are read in reverse order", () => {
    const s = blankState(1, "KAV-1", T);
    // Shoptet logged #11 (warehouse 1: total 6) and then #12 (warehouse 2: total 4), both at T.
    applyMovement(s, 2, movement({ id: 12, actualAmountMilli: 1000, sumAmountMilli: 4000, changeTime: T }));
    applyMovement(s, 1, movement({ id: 11, actualAmountMilli: 3000, sumAmountMilli: 6000, changeTime: T }));
    expect(s.quantityMilli).toBe(4000);
    expect(s.quantityMovementId).toBe(12);
    // Read in log order, the later one wins as before.
    const inOrder = blankState(1, "KAV-1", T);
    applyMovement(inOrder, 1, movement({ id: 11, actualAmountMilli: 3000, sumAmountMilli: 6000, changeTime: T }));
    applyMovement(inOrder, 2, movement({ id: 12, actualAmountMilli: 1000, sumAmountMilli: 4000, changeTime: T }));
    expect(inOrder.quantityMilli).toBe(4000);
  });

  it("falls back to the relative change when Shoptet sends no sumAmount", () => {
    const s = blankState(1, "KAV-1", T);
    s.quantityMilli = 10_000;
    applyMovement(s, 1, movement({ amountChangeMilli: -2500 }));
    expect(s.quantityMilli).toBe(7500);
  });
});

describe("settle", () => {
  it("derives the level with exact thresholds and signals only real changes", () => {
    const prev = blankState(1, "KAV-1", T);
    prev.quantityMilli = 6000;
    prev.minMilli = 5000;
    const settledPrev = settle(null, prev, T, { event: "sync", eventId: null }).state;
    expect(settledPrev.level).toBe("ok");

    const same = { ...settledPrev, perStock: new Map(settledPrev.perStock) };
    expect(settle(settledPrev, same, T + 1, { event: "x", eventId: 1 }).change).toBeNull();

    const next = { ...settledPrev, perStock: new Map(), quantityMilli: 5000 };
    const r = settle(settledPrev, next, T + 2, { event: "stock:movement", eventId: 7 });
    expect(r.state.level).toBe("low"); // 5.000 ≤ 5.000
    expect(r.state.levelSince).toBe(T + 2);
    expect(r.change).toMatchObject({ previous: { level: "ok", quantity: 6 }, current: { level: "low", quantity: 5 }, cause: { eventId: 7 } });
    expect(r.levelChange).toMatchObject({ fromLevel: "ok", toLevel: "low" });

    const more = { ...r.state, perStock: new Map(), quantityMilli: 4000 };
    const r2 = settle(r.state, more, T + 3, { event: "stock:movement", eventId: 8 });
    expect(r2.change?.current.quantity).toBe(4); // quantity changed: signalled
    expect(r2.levelChange).toBeNull(); // level did not
    expect(r2.state.levelSince).toBe(T + 2);
  });
});

describe("applyVariantDetail", () => {
  it("replaces amounts with perStockAmounts unless a stored amount is newer", () => {
    const s = blankState(1, "KAV-1", T);
    s.perStock.set(1, { amountMilli: 1000, changedAt: T + 5000 });
    s.perStock.set(3, { amountMilli: 7000, changedAt: T });
    applyVariantDetail(
      s,
      { guid: "g", name: "Coffee", variants: [] },
      {
        code: "KAV-1",
        name: "250 g",
        stockMilli: 5000,
        minStockSupplyMilli: 2000,
        perStock: [
          { stockId: 1, amountMilli: 2000, changedAt: T },
          { stockId: 2, amountMilli: 3000, changedAt: T },
        ],
      },
      T + 10_000,
      true,
    );
    expect([...s.perStock]).toEqual([
      [1, { amountMilli: 1000, changedAt: T + 5000 }],
      [2, { amountMilli: 3000, changedAt: T }],
    ]);
    expect(s).toMatchObject({ quantityMilli: 4000, minMilli: 2000, name: "Coffee (250 g)", minCheckedAt: T + 10_000 });
  });
});

describe("applyTrustedBetaEvent", () => {
  it("soldOut → soldOut with at most 0; inStock → positive; minStockSupplyReached → low", () => {
    const s = blankState(1, "X", T);
    s.quantityMilli = 4000;
    s.minMilli = 3000;
    expect(applyTrustedBetaEvent(s, "stock:soldOut", T)).toBe("soldOut");
    expect(s.quantityMilli).toBe(0);
    expect(applyTrustedBetaEvent(s, "stock:inStock", T + 1)).toBe("low"); // 1 unit ≤ minimum 3
    expect(s.quantityMilli).toBe(1000);
    s.quantityMilli = 8000;
    expect(applyTrustedBetaEvent(s, "stock:inStock", T + 2)).toBe("ok");
    expect(applyTrustedBetaEvent(s, "stock:minStockSupplyReached", T + 3)).toBe("low");
    expect(s.quantityMilli).toBe(3000);
    expect(s.estimated).toBe(true);
    expect(s.levelEventMs).toBe(T + 3);
  });
});
