/**
 * Glob patterns for product codes and event types.
 *
 * - `*` matches any run of characters (also `/` and `:`, which appear in codes and event types),
 * - `?` matches exactly one character,
 * - `[abc]`, `[a-z]`, `[!abc]` match one character from (or not from) a set,
 * - `\` makes the next character literal,
 * - a pattern starting with `!` EXCLUDES what it matches: `["KAV-*", "!KAV-TEST*"]` is every KAV
 *   product except the test ones. A list of only exclusions means "everything except".
 *
 * Matching is case-sensitive, like Shoptet codes and event names.
 */
import { compileTokens, parseGlob, type CompiledGlob } from "./glob-match.js";

export interface GlobMatcher {
  /** The patterns as written. */
  readonly patterns: readonly string[];
  /** Literal text every match starts with, per positive pattern ("" when a pattern starts with a wildcard). */
  readonly prefixes: readonly string[];
  test(value: string): boolean;
}

export type { CompiledGlob } from "./glob-match.js";

export type GlobResult = { ok: true; pattern: CompiledGlob; prefix: string } | { ok: false; message: string };

/**
 * Compiles one pattern (without a leading `!`) into a linear-time matcher and its literal prefix.
 * Patterns never become RegExps: see glob-match.ts for why.
 */
export function compileGlob(pattern: string): GlobResult {
  const parsed = parseGlob(pattern);
  if (!parsed.ok) return parsed;
  return { ok: true, pattern: compileTokens(parsed.tokens, parsed.prefix), prefix: parsed.prefix };
}

/**
 * Compiles a list of patterns into one matcher; returns the first problem per bad pattern with its
 * index so the caller can point at the right line.
 */
export function compileGlobList(
  patterns: readonly string[],
): { ok: true; matcher: GlobMatcher } | { ok: false; errors: { index: number; message: string }[] } {
  const include: CompiledGlob[] = [];
  const exclude: CompiledGlob[] = [];
  const prefixes: string[] = [];
  const literals = new Set<string>();
  let onlyLiterals = true;
  const errors: { index: number; message: string }[] = [];
  patterns.forEach((raw, index) => {
    const negative = raw.startsWith("!");
    const body = negative ? raw.slice(1) : raw;
    if (negative && body.length === 0) {
      errors.push({ index, message: `"!" alone excludes nothing; write "!" followed by a pattern, e.g. "!KAV-TEST*"` });
      return;
    }
    const result = compileGlob(body);
    if (!result.ok) {
      errors.push({ index, message: result.message });
      return;
    }
    if (negative) {
      exclude.push(result.pattern);
    } else {
      include.push(result.pattern);
      prefixes.push(result.prefix);
      if (result.prefix === unescape(body)) literals.add(result.prefix);
      else onlyLiterals = false;
    }
  });
  if (errors.length) return { ok: false, errors };
  const frozen = Object.freeze([...patterns]);
  let test: (value: string) => boolean;
  if (include.length > 0 && onlyLiterals && exclude.length === 0) {
    // Plain codes are the common case: a Set lookup, no matcher.
    test = (value) => literals.has(value);
  } else {
    test = (value) => {
      if (include.length > 0 && !include.some((r) => r.test(value))) return false;
      return !exclude.some((r) => r.test(value));
    };
  }
  return { ok: true, matcher: { patterns: frozen, prefixes: include.length ? prefixes : [""], test } };
}

/** True when `value` contains glob syntax (so an event name like "order:*" is not checked as a literal). */
export function isGlob(value: string): boolean {
  return /[*?[\\!]/.test(value);
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
