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
export interface GlobMatcher {
  /** The patterns as written. */
  readonly patterns: readonly string[];
  /** Literal text every match starts with, per positive pattern ("" when a pattern starts with a wildcard). */
  readonly prefixes: readonly string[];
  test(value: string): boolean;
}

export type GlobResult = { ok: true; regex: RegExp; prefix: string } | { ok: false; message: string };

/** Compiles one pattern (without a leading `!`) into an anchored RegExp and its literal prefix. */
export function compileGlob(pattern: string): GlobResult {
  if (pattern.length === 0) return { ok: false, message: "empty pattern; write a code, or a glob like \"KAV-*\"" };
  let source = "";
  let prefix = "";
  let literal = true;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return { ok: false, message: `pattern "${pattern}" ends with "\\"; escape a character or remove it` };
      source += escapeRegex(next);
      if (literal) prefix += next;
      i++;
    } else if (ch === "*") {
      source += ".*";
      literal = false;
    } else if (ch === "?") {
      source += ".";
      literal = false;
    } else if (ch === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        return { ok: false, message: `pattern "${pattern}" has "[" without a closing "]"; close the set, or write "\\[" for a literal bracket` };
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      if (body.length === 0) return { ok: false, message: `pattern "${pattern}" has an empty set "[]"` };
      const set = body.replace(/[\\\]^]/g, (c) => `\\${c}`);
      source += `[${negate ? "^" : ""}${set}]`;
      literal = false;
      i = close;
    } else {
      source += escapeRegex(ch);
      if (literal) prefix += ch;
    }
  }
  try {
    return { ok: true, regex: new RegExp(`^${source}$`, "s"), prefix };
  } catch (error) {
    return { ok: false, message: `pattern "${pattern}" does not compile (${(error as Error).message})` };
  }
}

/**
 * Compiles a list of patterns into one matcher; returns the first problem per bad pattern with its
 * index so the caller can point at the right line.
 */
export function compileGlobList(
  patterns: readonly string[],
): { ok: true; matcher: GlobMatcher } | { ok: false; errors: { index: number; message: string }[] } {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
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
      exclude.push(result.regex);
    } else {
      include.push(result.regex);
      prefixes.push(result.prefix);
      if (result.prefix === unescape(body)) literals.add(result.prefix);
      else onlyLiterals = false;
    }
  });
  if (errors.length) return { ok: false, errors };
  const frozen = Object.freeze([...patterns]);
  let test: (value: string) => boolean;
  if (include.length > 0 && onlyLiterals && exclude.length === 0) {
    // Plain codes are the common case: a Set lookup, no RegExp.
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

function escapeRegex(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, "$1");
}
