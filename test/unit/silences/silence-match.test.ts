import { describe, expect, it } from "vitest";
import { checkProducts, compileSilence, coveringSilence, covers, isActive, type Silence } from "../../../src/silences/silence-match.js";
import { parseSilenceRequest } from "../../../src/silences/silence-input.js";

const T = Date.UTC(2026, 11, 5, 9, 0);
const H = 3_600_000;

function silence(over: Partial<Silence> = {}): Silence {
  return { id: 1, products: ["KAV-*"], rule: null, eshopId: null, reason: "stock-taking", createdBy: "alice", createdAt: T, endsAt: T + 2 * H, expiredAt: null, ...over };
}

const kav = { rule: "sold-out", eshopId: 7, subject: "KAV-1" };

describe("silence-match: does a silence cover (rule, e-shop, subject, at)?", () => {
  it.each<[string, Partial<Silence>, typeof kav, number, boolean]>([
    ["a product its glob matches, while it runs", {}, kav, T + H, true],
    ["from the moment it was added, whatever the clock of the adder", {}, kav, T - H, true],
    ["a product the glob does not match", {}, { ...kav, subject: "CAJ-1" }, T + H, false],
    ["globs are case-sensitive, like codes", {}, { ...kav, subject: "kav-1" }, T + H, false],
    ["an excluded product", { products: ["KAV-*", "!KAV-TEST*"] }, { ...kav, subject: "KAV-TEST-2" }, T + H, false],
    ["a literal code", { products: ["KAV-1"] }, kav, T + H, true],
    ["only exclusions: everything else", { products: ["!CAJ-*"] }, kav, T + H, true],
    ["at its end: over (the end is exclusive)", {}, kav, T + 2 * H, false],
    ["after its end", {}, kav, T + 3 * H, false],
    ["expired by hand before", { expiredAt: T + H }, kav, T + H + 1, false],
    ["expired by hand later than now", { expiredAt: T + H }, kav, T + H - 1, true],
    ["its rule", { rule: "sold-out" }, kav, T + H, true],
    ["another rule", { rule: "coffee-low" }, kav, T + H, false],
    ["its e-shop", { eshopId: 7 }, kav, T + H, true],
    ["another e-shop", { eshopId: 8 }, kav, T + H, false],
    ["an event rule's instance (order code) with a glob for it", { products: ["2026*"] }, { rule: "order-cancelled", eshopId: 7, subject: "2026000123" }, T + H, true],
  ])("%s", (_what, over, target, at, expected) => {
    expect(covers(compileSilence(silence(over)), target, at)).toBe(expected);
  });

  it("picks the covering silence that lasts longest, and none when none covers", () => {
    const short = compileSilence(silence({ id: 1, endsAt: T + H }));
    const long = compileSilence(silence({ id: 2, endsAt: T + 5 * H }));
    const other = compileSilence(silence({ id: 3, products: ["CAJ-*"], endsAt: T + 9 * H }));
    expect(coveringSilence([short, long, other], kav, T)?.id).toBe(2);
    expect(coveringSilence([short, other], kav, T + H)).toBeNull();
    expect(coveringSilence([], kav, T)).toBeNull();
  });

  it("isActive is false once ended either way", () => {
    expect(isActive({ endsAt: T, expiredAt: null }, T - 1)).toBe(true);
    expect(isActive({ endsAt: T, expiredAt: T - 10 }, T - 1)).toBe(false);
  });

  it.each([
    [["KAV-["], 'product glob "KAV-[": pattern "KAV-[" has "[" without a closing "]"'],
    [["KAV-*", "!"], 'product glob "!": "!" alone excludes nothing'],
    [["A\\"], 'ends with "\\"'],
    [[], "at least one product glob"],
  ])("refuses bad product globs %j with the rules file's message", (patterns, message) => {
    const result = checkProducts(patterns);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });
});

describe("silence-input: a request for a new silence", () => {
  const ok = { products: ["KAV-*"], for: "2d", reason: "stock-taking" };
  it("becomes a silence from now for the duration", () => {
    const r = parseSilenceRequest({ ...ok, rule: "sold-out", eshop: "222651" }, T, "alice");
    expect(r).toEqual({
      ok: true,
      silence: { products: ["KAV-*"], rule: "sold-out", eshopId: 222651, reason: "stock-taking", createdBy: "alice", createdAt: T, endsAt: T + 48 * H },
    });
  });

  it.each<[string, Partial<Parameters<typeof parseSilenceRequest>[0]>, string]>([
    ["no products", { products: [] }, "--products"],
    ["blank products", { products: ["  "] }, "--products"],
    ["a bad glob", { products: ["KAV-["] }, 'without a closing "]"'],
    ["no --for", { for: undefined }, "--for, e.g. --for 2d"],
    ["a bad duration", { for: "2 days" }, '--for takes a duration like 30m, 12h or 2d, got "2 days"'],
    ["a zero duration", { for: "0m" }, "--for takes a duration"],
    ["too long", { for: "91d" }, "at most 90d"],
    ["no reason", { reason: undefined }, "--reason"],
    ["a blank reason", { reason: "   " }, "--reason"],
    ["a long reason", { reason: "x".repeat(501) }, "at most 500 characters"],
    ["a bad e-shop", { eshop: "abc" }, '--eshop takes an e-shop id (a number), got "abc"'],
    ["a reason with a terminal escape", { reason: "ok\u001b[2J" }, "--reason may not contain control characters"],
    ["a reason on two lines", { reason: "a\nb" }, "--reason may not contain control characters"],
    ["a glob with a control character", { products: ["KAV-\u0007*"] }, "control characters"],
  ])("refuses %s", (_what, over, message) => {
    const r = parseSilenceRequest({ ...ok, ...over } as Parameters<typeof parseSilenceRequest>[0], T, "alice");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain(message);
  });
});
