import { describe, expect, it } from "vitest";
import { detailsToPrefetch, firstContactStart, hasMorePages, newMovements, refreshJobFor, stockIdOf } from "../../../src/stock/movement-reader.js";
import { blankState } from "../../../src/stock/stock-state.js";
import type { Movement } from "../../../src/shoptet/shoptet-types.js";

const H = 3_600_000;
const options = { firstContactMarginMs: 2 * 60_000, firstContactMaxLookbackMs: 24 * H };
const move = (id: number, productCode = "KAV-1", productGuid: string | null = null): Movement =>
  ({ id, productCode, productGuid, actualAmountMilli: null, amountChangeMilli: null, sumAmountMilli: null, changedBy: null, changeTime: null }) as Movement;

describe("firstContactStart: where the first read of a warehouse starts", () => {
  const job = 100 * H;
  it.each([
    { name: "no stored webhook: a margin before the job", first: { createdMs: null, receivedMs: null }, expected: job - 2 * 60_000 },
    { name: "the webhook's eventCreated, when earlier", first: { createdMs: job - H, receivedMs: job - 30 * 60_000 }, expected: job - H - 2 * 60_000 },
    { name: "its receipt, when Shoptet's time is later (clock skew)", first: { createdMs: job + 60_000, receivedMs: job - 10 * 60_000 }, expected: job - 12 * 60_000 },
    { name: "never more than the look-back before the job", first: { createdMs: job - 72 * H, receivedMs: job - 72 * H }, expected: job - 24 * H - 2 * 60_000 },
  ])("$name", ({ first, expected }) => {
    expect(firstContactStart(first, job, options)).toBe(expected);
  });
});

describe("newMovements and hasMorePages", () => {
  it.each([
    { name: "first read: all, in id order", lastId: null, ids: [3, 1, 2], expected: [1, 2, 3] },
    { name: "after the cursor only", lastId: 2, ids: [1, 2, 3, 4], expected: [3, 4] },
    { name: "nothing new", lastId: 9, ids: [8, 9], expected: [] },
  ])("newMovements: $name", ({ lastId, ids, expected }) => {
    expect(newMovements(ids.map((id) => move(id)), lastId).map((m) => m.id)).toEqual(expected);
  });

  it.each([
    { name: "a full page", count: 3, paginator: null, expected: true },
    { name: "a short page without paginator", count: 2, paginator: null, expected: false },
    { name: "a short page before the last", count: 2, paginator: { page: 1, pageCount: 2 }, expected: true },
    { name: "the last page", count: 2, paginator: { page: 2, pageCount: 2 }, expected: false },
  ])("hasMorePages: $name", ({ count, paginator, expected }) => {
    expect(hasMorePages({ movements: Array.from({ length: count }), paginator }, 3)).toBe(expected);
  });
});

describe("detailsToPrefetch: products never seen, up to the limit", () => {
  it.each([
    {
      name: "unknown and never-checked products, once each, by the movement's guid or the stored one",
      movements: [move(1, "A", "ga"), move(2, "A", "ga"), move(3, "B"), move(4, "C")],
      states: new Map([["B", { checkedAt: null, guid: "gb" }], ["C", { checkedAt: 5, guid: "gc" }]]),
      limit: 10,
      expected: [["A", "ga"], ["B", "gb"]],
    },
    { name: "the limit", movements: [move(1, "A"), move(2, "B"), move(3, "C")], states: new Map(), limit: 2, expected: [["A", null], ["B", null]] },
  ])("$name", ({ movements, states, limit, expected }) => {
    expect([...detailsToPrefetch(movements, states, limit)]).toEqual(expected);
  });
});

describe("refreshJobFor: name and minimum older than the limit are refreshed", () => {
  const now = 10 * 24 * H;
  it.each([
    { name: "never read, no guid: by variant code", state: { minCheckedAt: null, guid: null }, expected: { kind: "variant-refresh", eshopId: 1, subject: "KAV-1", runAt: now } },
    { name: "stale, with guid: by product", state: { minCheckedAt: now - 24 * H, guid: "g" }, expected: { kind: "product-refresh", eshopId: 1, subject: "g", runAt: now } },
    { name: "fresh: none", state: { minCheckedAt: now - 24 * H + 1, guid: "g" }, expected: null },
  ])("$name", ({ state, expected }) => {
    expect(refreshJobFor({ ...blankState(1, "KAV-1", 0), ...state }, now, 24 * H)).toEqual(expected);
  });
});

describe("stockIdOf", () => {
  it.each(["12", "0"])("%s is a stock id", (s) => expect(stockIdOf(s)).toBe(Number(s)));
  it.each(["", "x1", "-1", "1.5", "99999999999999999999"])("%j fails the job for good", (s) => {
    expect(() => stockIdOf(s)).toThrow(expect.objectContaining({ permanent: true }));
  });
});
