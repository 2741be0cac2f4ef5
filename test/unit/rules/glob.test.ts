import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { compileGlob, compileGlobList } from "../../../src/rules/glob.js";
import { matchTokens, parseGlob, type GlobMeter } from "../../../src/rules/glob-match.js";

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
    // `*` crosses `/` and `:`; `?` is exactly one character, `/` included.
    [["*"], "", true],
    [["*"], "26/BIL:X", true],
    [["26*BIL"], "26/x:y/BIL", true],
    [["order?cancel"], "order:cancel", true],
    [["order?cancel"], "ordercancel", false],
    [["*:*"], "order:cancel", true],
    [["*:*"], "ordercancel", false],
    [["a**b"], "ab", true],
    [["a*b*c"], "abXbYc", true],
    [["a*b*c"], "abXbYcZ", false],
    [["*ab"], "aab", true],
    [["*aab"], "aaab", true],
    [["?*?"], "a", false],
    [["?*?"], "ab", true],
    // escapes
    [["\\\\x"], "\\x", true],
    [["\\x"], "x", true],
    [["\\[x]"], "[x]", true],
    [["\\[x]"], "x", false],
    [["\\?"], "?", true],
    [["\\?"], "a", false],
    [["A\\**"], "A*BC", true],
    [["A\\**"], "ABC", false],
    // sets
    [["[]a]"], "]", true],
    [["[]a]"], "a", true],
    [["[]a]"], "b", false],
    [["[a-]"], "-", true],
    [["[-a]"], "-", true],
    [["[a-c-e]"], "-", true],
    [["[a-c-e]"], "d", false],
    [["[!a-c]"], "d", true],
    [["[!a-c]"], "b", false],
    [["[!a-c]"], "", false],
    [["[^a]"], "^", true],
    [["[^a]"], "b", false],
    [["[\\]"], "\\", true],
    [["[0-9][0-9]"], "42", true],
    [["[0-9][0-9]"], "4", false],
    [["[!/]*"], "/x", false],
    // exclusions
    [["*", "!*-TEST", "!X*"], "A-TEST", false],
    [["*", "!*-TEST", "!X*"], "XA", false],
    [["*", "!*-TEST", "!X*"], "A-TESTS", true],
    [["![0-9]*"], "1A", false],
    [["![0-9]*"], "A1", true],
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

  it.each([
    ["", 'empty pattern; write a code, or a glob like "KAV-*"'],
    ["KAV-\\", 'pattern "KAV-\\" ends with "\\"; escape a character or remove it'],
    ["KAV-[12", 'pattern "KAV-[12" has "[" without a closing "]"; close the set, or write "\\[" for a literal bracket'],
    ["KAV-[!]", 'pattern "KAV-[!]" has an empty set "[]"'],
    ["KAV-[z-a]", 'pattern "KAV-[z-a]" has the range "z-a" backwards; write the lower character first, e.g. "[a-z]"'],
  ])("refuses %j and says what to fix", (pattern, message) => {
    expect(compileGlob(pattern)).toEqual({ ok: false, message });
  });

  it("a list of one bare \"!\" says what to write", () => {
    const r = compileGlobList(["!"]);
    expect(r.ok ? null : r.errors[0]!.message).toBe('"!" alone excludes nothing; write "!" followed by a pattern, e.g. "!KAV-TEST*"');
  });
});

/**
 * The RegExp translation globs used before the linear matcher (kept here as the reference the new
 * matcher must agree with; safe on the short patterns and values below).
 */
function referenceRegex(pattern: string): RegExp | null {
  let source = "";
  const esc = (ch: string) => (/[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch);
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      if (pattern[i + 1] === undefined) return null;
      source += esc(pattern[++i]!);
    } else if (ch === "*") source += ".*";
    else if (ch === "?") source += ".";
    else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) return null;
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      if (body.length === 0) return null;
      source += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, (c) => `\\${c}`)}]`;
      i = close;
    } else source += esc(ch);
  }
  try {
    return new RegExp(`^${source}$`, "s");
  } catch {
    return null;
  }
}

describe("the linear matcher", () => {
  it("agrees with the old RegExp translation on random patterns and values", () => {
    const char = fc.constantFrom("a", "b", "c", "-", "/", ":", "*", "?", "[", "]", "!", "^", "\\", "\n");
    // Raw strings find the refused patterns; pieces build well-formed sets, ranges and escapes often.
    const piece = fc.oneof(
      char,
      fc.constantFrom("*", "?", "a", "b"),
      char.map((c) => `\\${c}`),
      fc.tuple(fc.boolean(), fc.string({ unit: char, minLength: 1, maxLength: 4 })).map(([negate, body]) => `[${negate ? "!" : ""}${body}]`),
    );
    const pattern = fc.oneof(fc.string({ unit: char, minLength: 1, maxLength: 10 }), fc.array(piece, { minLength: 1, maxLength: 6 }).map((p) => p.join("")));
    fc.assert(
      fc.property(pattern, fc.array(fc.string({ unit: char, maxLength: 12 }), { minLength: 1, maxLength: 8 }), (pattern, values) => {
        const reference = referenceRegex(pattern);
        const compiled = compileGlob(pattern);
        // Both refuse the same patterns (the messages are the matcher's own).
        expect(compiled.ok).toBe(reference !== null);
        if (!compiled.ok || !reference) return;
        for (const value of values) expect(compiled.pattern.test(value)).toBe(reference.test(value));
      }),
      { numRuns: 3000 },
    );
  });

  it("runs the ReDoS pattern in at most (value + 1) × (pattern + 1) steps, not exponentially many", () => {
    const pattern = "*a*a*a*a*a*a*a*a*a*a*b";
    const parsed = parseGlob(pattern);
    if (!parsed.ok) throw new Error(parsed.message);
    const tokens = parsed.tokens;
    for (const length of [40, 4000]) {
      for (const value of ["a".repeat(length), "ab".repeat(length / 2).slice(0, length - 1) + "c"]) {
        const meter: GlobMeter = { steps: 0 };
        expect(matchTokens(tokens, value, meter)).toBe(false);
        expect(meter.steps).toBeGreaterThan(0);
        expect(meter.steps).toBeLessThanOrEqual((value.length + 1) * (tokens.length + 1));
      }
    }
    // A backtracking RegExp needs about C(40, 10) ≈ 8.5e8 steps for the 40 a's; this needs < 1,000.
    const meter: GlobMeter = { steps: 0 };
    matchTokens(tokens, "a".repeat(40), meter);
    expect(meter.steps).toBeLessThan(1000);
    // And the matcher the rules use answers right on a code that does match.
    const compiled = compileGlob(pattern);
    expect(compiled.ok && compiled.pattern.test(`${"a".repeat(3999)}b`)).toBe(true);
  });
});

describe("the stock rule index", () => {
  it("finds exactly the rules a brute-force scan finds, in file order", async () => {
    const fc = await import("fast-check");
    const { makeRules } = await import("../../helpers/make-rules.js");
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
