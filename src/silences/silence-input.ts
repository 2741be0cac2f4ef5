import { formatDuration, parseDuration } from "../shared/duration.js";
import { checkProducts } from "./silence-match.js";
import type { NewSilence } from "./silence-store.js";

/** A silence lasts at most this long: one forgotten for months would hide real alerts. */
export const MAX_SILENCE_MS = 90 * 86_400_000;
const MAX_REASON = 500;
const MAX_PATTERNS = 100;
const MAX_PATTERN_LENGTH = 200;

/** What the CLI and the dashboard's form hand in, as the person typed it. */
export interface SilenceRequest {
  products: readonly string[];
  rule?: string | undefined;
  for?: string | undefined;
  reason?: string | undefined;
  eshop?: string | undefined;
}

export type SilenceInput = { ok: true; silence: NewSilence } | { ok: false; message: string };

/**
 * Checks a request for a new silence and says what to fix: the products as globs (the rules file's
 * syntax and messages), a duration up to 90d, a reason, optionally a rule name and an e-shop id.
 * Pure: the time and who asks are passed in.
 */
export function parseSilenceRequest(request: SilenceRequest, now: number, createdBy: string): SilenceInput {
  const products = request.products.map((p) => p.trim()).filter((p) => p !== "");
  if (products.length === 0) return fail('name the products to silence with --products, e.g. --products "KAV-*" (a glob, as in the rules file)');
  if (products.length > MAX_PATTERNS) return fail(`at most ${MAX_PATTERNS} product globs per silence, got ${products.length}`);
  const long = products.find((p) => p.length > MAX_PATTERN_LENGTH);
  if (long !== undefined) return fail(`product glob "${long.slice(0, 40)}…" is longer than ${MAX_PATTERN_LENGTH} characters`);
  if (products.some(hasControl)) return fail("product globs may not contain control characters (tabs, line breaks, escapes)");
  const globs = checkProducts(products);
  if (!globs.ok) return fail(globs.message);

  if (request.for === undefined || request.for.trim() === "") return fail("say how long the silence lasts with --for, e.g. --for 2d (units: m, h, d)");
  const ms = parseDuration(request.for);
  if (ms === undefined || ms <= 0) return fail(`--for takes a duration like 30m, 12h or 2d, got "${request.for}"`);
  if (ms > MAX_SILENCE_MS) return fail(`a silence lasts at most ${formatDuration(MAX_SILENCE_MS)}, got --for ${request.for}; add a new one when it ends`);

  const reason = request.reason?.trim() ?? "";
  if (reason === "") return fail('say why with --reason, e.g. --reason "stock-taking" (shown on the dashboard and in silence list)');
  if (hasControl(reason)) return fail("--reason may not contain control characters (line breaks, terminal escapes); write it on one line");
  if (reason.length > MAX_REASON) return fail(`--reason is at most ${MAX_REASON} characters, got ${reason.length}`);

  const rule = request.rule?.trim() || null;
  if (rule !== null && rule.length > 200) return fail("--rule takes a rule name from the rules file (at most 200 characters)");

  let eshopId: number | null = null;
  const eshop = request.eshop?.trim();
  if (eshop) {
    if (!/^[1-9]\d{0,15}$/.test(eshop)) return fail(`--eshop takes an e-shop id (a number), got "${eshop}"`);
    eshopId = Number(eshop);
  }
  return { ok: true, silence: { products, rule, eshopId, reason, createdBy, createdAt: now, endsAt: now + ms } };
}

// Shown on terminals (silence list) and the dashboard: one line of plain text.
const hasControl = (text: string) => /[\u0000-\u001f\u007f]/.test(text);

function fail(message: string): SilenceInput {
  return { ok: false, message };
}
