/**
 * How deeply a JSON text nests arrays and objects, found by scanning the bytes (no recursion, no
 * parse). A signed body may carry an arbitrarily deep `payload`; JSON.parse copes, but
 * JSON.stringify and other recursive code overflow the stack on it, so depth is checked first.
 */
export function jsonNestingExceeds(raw: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}
