/**
 * The matching half of globs: a pattern parsed into single-character tokens and stars, matched by
 * the classic two-pointer wildcard algorithm. Rule files are written by people (and pasted from
 * elsewhere), so a pattern must never cost more than O(pattern × value): a backtracking RegExp built
 * from `*a*a*a*a*a*a*a*a*a*a*b` took seconds on a 40-character code, inside the engine's write
 * transaction. Here a failed token after a star only moves that star's start by one character; the
 * earlier stars never need revisiting (whatever they could absorb, the latest star can absorb too).
 */

/** One character from (or, negated, not from) a set; `ranges` holds [from, to] code-unit pairs. */
interface SetToken {
  readonly negate: boolean;
  readonly ranges: readonly number[];
}

/** A literal code unit (>= 0), `?` (ANY), `*` (STAR), or a set. */
export type GlobToken = number | SetToken;

const STAR = -1;
const ANY = -2;

/** A pattern ready to match: `test` is linear in the value per token, never exponential. */
export interface CompiledGlob {
  test(value: string): boolean;
}

export type ParsedGlob = { ok: true; tokens: GlobToken[]; prefix: string } | { ok: false; message: string };

/**
 * Parses one pattern (without a leading `!`). Same syntax and messages as ever: `*`, `?`, `[abc]`,
 * `[a-z]`, `[!abc]`, `\x`; a set is closed by the first `]` after its first character, so `[]a]`
 * holds `]` and `a`; `-` first or last in a set is literal.
 */
export function parseGlob(pattern: string): ParsedGlob {
  if (pattern.length === 0) return { ok: false, message: "empty pattern; write a code, or a glob like \"KAV-*\"" };
  const tokens: GlobToken[] = [];
  let prefix = "";
  let literal = true;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const next = pattern[i + 1];
      if (next === undefined) return { ok: false, message: `pattern "${pattern}" ends with "\\"; escape a character or remove it` };
      tokens.push(next.charCodeAt(0));
      if (literal) prefix += next;
      i++;
    } else if (ch === "*") {
      // `**` means the same as `*`; one star keeps the matcher's work bound simple.
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
      literal = false;
    } else if (ch === "?") {
      tokens.push(ANY);
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
      const ranges = parseSet(body);
      if (typeof ranges === "string") return { ok: false, message: `pattern "${pattern}" ${ranges}` };
      tokens.push({ negate, ranges });
      literal = false;
      i = close;
    } else {
      tokens.push(ch.charCodeAt(0));
      if (literal) prefix += ch;
    }
  }
  return { ok: true, tokens, prefix };
}

/** A set's body as [from, to] pairs: `a-z` is a range, any other character (`-` at an end too) itself. */
function parseSet(body: string): number[] | string {
  const ranges: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const from = body.charCodeAt(i);
    if (body[i + 1] === "-" && i + 2 < body.length) {
      const to = body.charCodeAt(i + 2);
      if (to < from) {
        return `has the range "${body.slice(i, i + 3)}" backwards; write the lower character first, e.g. "[a-z]"`;
      }
      ranges.push(from, to);
      i += 2;
    } else {
      ranges.push(from, from);
    }
  }
  return ranges;
}

/** Counts token comparisons when given; tests use it to bound the work without a clock. */
export interface GlobMeter {
  steps: number;
}

/** `prefix` is the pattern's literal start (from parseGlob): a cheap first check before the matcher. */
export function compileTokens(tokens: readonly GlobToken[], prefix: string): CompiledGlob {
  const frozen = [...tokens];
  // "KAV-*" is the usual glob: all literal, then one star at the end, so a prefix test decides it.
  if (frozen.length === prefix.length + 1 && frozen[prefix.length] === STAR) return { test: (value) => value.startsWith(prefix) };
  if (prefix.length === 0) return { test: (value) => matchTokens(frozen, value) };
  return { test: (value) => value.startsWith(prefix) && matchTokens(frozen, value) };
}

/**
 * Two-pointer wildcard match. At most (value.length + 1) × (tokens.length + 1) steps: each step
 * either advances the value, or advances the pattern, or restarts after the latest star with its
 * start one character further (which happens at most value.length times per star).
 */
export function matchTokens(tokens: readonly GlobToken[], value: string, meter?: GlobMeter): boolean {
  const n = value.length;
  const m = tokens.length;
  let p = 0;
  let i = 0;
  let starAt = -1; // token index after the latest star
  let starFrom = 0; // where that star's absorbed run ends now
  while (i < n) {
    if (meter) meter.steps++;
    const token = p < m ? tokens[p]! : undefined;
    if (token === STAR) {
      starAt = ++p;
      starFrom = i;
    } else if (token !== undefined && matchesOne(token, value.charCodeAt(i))) {
      p++;
      i++;
    } else if (starAt >= 0) {
      p = starAt;
      i = ++starFrom;
    } else {
      return false;
    }
  }
  while (p < m && tokens[p] === STAR) p++;
  return p === m;
}

function matchesOne(token: GlobToken, code: number): boolean {
  if (typeof token === "number") return token === ANY || token === code;
  const ranges = token.ranges;
  let inSet = false;
  for (let r = 0; r < ranges.length; r += 2) {
    if (code >= ranges[r]! && code <= ranges[r + 1]!) {
      inSet = true;
      break;
    }
  }
  return inSet !== token.negate;
}
