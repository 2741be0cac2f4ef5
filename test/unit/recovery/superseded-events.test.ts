import { describe, expect, it } from "vitest";
import { supersedingEvents } from "../../../src/recovery/superseded-events.js";

// The filter itself runs against a store: test/contract/recovery-store.contract.ts.
describe("which newer events make a recovered one stale", () => {
  it("any beta level event for a beta one, the same type for other stock events, none for the rest", () => {
    expect(supersedingEvents("stock:soldOut")).toEqual(["stock:soldOut", "stock:inStock", "stock:minStockSupplyReached"]);
    expect(supersedingEvents("stock:movement")).toEqual(["stock:movement"]);
    expect(supersedingEvents("order:cancel")).toBeNull();
  });
});
