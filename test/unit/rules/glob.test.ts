import { describe, expect, it } from "vitest";
import { compileGlobList } from "../../../src/rules/glob.js";

function matcher(...patterns: string[]) {
  const r = compileGlobList(patterns);
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.matcher;
}

describe("globs", () => {
  it.each([
    [["KAV-*"], "KAV-1", true],
    [["KAV-*"], "kav-1", false],
    [["KAV-*"], "XKAV-1", false],
    [["26/*"], "26/BIL", true],
    [["KAV-?"], "KAV-12", false],
    [["KAV-??"], "KAV-12", true],
    [["KAV-[12]"], "KAV-2", true],
    [["KAV-[!12]"], "KAV-2", false],
    [["KAV-[a-c]"], "KAV-b", true],
    [["order:*"], "order:cancel", true],
    [["order:*"], "orders:cancel", false],
    [["KAV.1"], "KAVX1", false],
    [["A\\*"], "A*", true],
    [["A\\*"], "AB", false],
    [["KAV-*", "!KAV-TEST*"], "KAV-TEST-1", false],
    [["KAV-*", "!KAV-TEST*"], "KAV-1", true],
    [["!TEST-*"], "ANY", true],
    [["!TEST-*"], "TEST-1", false],
    [["KAV-1", "KAV-2"], "KAV-2", true],
    [["KAV-1", "KAV-2"], "KAV-3", false],
  ])("%j matches %s: %s", (patterns, value, expected) => {
    expect(matcher(...patterns).test(value)).toBe(expected);
  });

  it("knows the literal prefix of each positive pattern (for the rule index)", () => {
    expect(matcher("KAV-*", "!KAV-T*", "CAJ?").prefixes).toEqual(["KAV-", "CAJ"]);
    expect(matcher("!X*").prefixes).toEqual([""]);
  });

  it("reports what does not compile, with the pattern's index", () => {
    const r = compileGlobList(["ok", "KAV-[", "!", ""]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.index)).toEqual([1, 2, 3]);
  });
});

describe("the stock rule index", () => {
  it("finds exactly the rules a brute-force scan finds, in file order", async () => {
    const fc = await import("fast-check");
    const { makeRules } = await import("./make-rules.js");
    const alphabet = fc.constantFrom("K", "A", "V", "-", "1", "/");
    const literal = fc.string({ unit: alphabet, minLength: 0, maxLength: 4 });
    const pattern = fc.tuple(literal, fc.constantFrom("*", "?*", "", "[KA]*")).map(([a, b]) => a + b);
    fc.assert(
      fc.property(fc.array(fc.array(pattern, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }), (ruleGlobs, codes) => {
        const yaml = ruleGlobs
          .map((globs, i) => `  - name: r${i}\n    when: { level: low, products: ${JSON.stringify(globs.filter((g) => g !== ""))} }\n    notify: [warehouse]\n`)
          .join("");
        if (ruleGlobs.some((g) => g.filter((x) => x !== "").length === 0)) return;
        const rules = makeRules(yaml);
        for (const code of codes) {
          const matches = (r: (typeof rules.stockRules)[number]) => r.when.products === null || r.when.products.test(code);
          expect(rules.stockRulesFor(code).filter(matches).map((r) => r.name)).toEqual(rules.stockRules.filter(matches).map((r) => r.name));
        }
      }),
      { numRuns: 300 },
    );
  });
});
