/**
 * Which silence, if any, covers an alert: pure decisions over plain values (no clock, no
 * database), so the tests are tables. A silence covers an alert while it is active (before its end
 * and before it was expired by hand), for its rule (or every rule), its e-shop (or every e-shop)
 * and a subject its product globs match (product code for stock rules, event instance for event
 * rules). The globs are the rules file's (src/rules/glob.ts): linear time, same syntax, same messages.
 */
import { compileGlobList, type GlobMatcher } from "../rules/glob.js";

export interface Silence {
  id: number;
  /** Globs as written, e.g. ["KAV-*", "!KAV-TEST*"]. */
  products: readonly string[];
  /** Only this rule's alerts; null: every rule. */
  rule: string | null;
  /** Only this e-shop; null: every e-shop. */
  eshopId: number | null;
  reason: string;
  createdBy: string;
  /** Epoch ms. */
  createdAt: number;
  endsAt: number;
  /** When `silence expire` ended it early; null while it runs its course. */
  expiredAt: number | null;
}

export interface CompiledSilence extends Silence {
  matcher: GlobMatcher;
}

/** What a silence is matched against: an alert's rule, e-shop and subject. */
export interface SilenceTarget {
  rule: string;
  eshopId: number;
  subject: string;
}

export type ProductsCheck = { ok: true; matcher: GlobMatcher } | { ok: false; message: string };

/** The product globs of a silence, compiled; the first problem with the rules file's wording otherwise. */
export function checkProducts(patterns: readonly string[]): ProductsCheck {
  if (patterns.length === 0) return { ok: false, message: 'a silence needs at least one product glob, e.g. --products "KAV-*"' };
  const result = compileGlobList(patterns);
  if (!result.ok) {
    const first = result.errors[0]!;
    return { ok: false, message: `product glob "${patterns[first.index]}": ${first.message}` };
  }
  return { ok: true, matcher: result.matcher };
}

/** A stored silence with its matcher; throws when its globs no longer compile (they were checked when added). */
export function compileSilence(silence: Silence): CompiledSilence {
  const check = checkProducts(silence.products);
  if (!check.ok) throw new Error(`silence ${silence.id} has products that do not compile: ${check.message}`);
  return { ...silence, matcher: check.matcher };
}

/** Whether the silence is in force at `at` (its end and an expiry are exclusive: at that instant it is over). */
export function isActive(silence: Pick<Silence, "endsAt" | "expiredAt">, at: number): boolean {
  return at < silence.endsAt && (silence.expiredAt === null || at < silence.expiredAt);
}

export function covers(silence: CompiledSilence, target: SilenceTarget, at: number): boolean {
  return (
    isActive(silence, at) &&
    (silence.rule === null || silence.rule === target.rule) &&
    (silence.eshopId === null || silence.eshopId === target.eshopId) &&
    silence.matcher.test(target.subject)
  );
}

/**
 * The silence that covers the target at `at`, or null. When several do, the one that lasts
 * longest: it is the one that decides when the alert may speak again.
 */
export function coveringSilence(silences: readonly CompiledSilence[], target: SilenceTarget, at: number): CompiledSilence | null {
  let best: CompiledSilence | null = null;
  for (const s of silences) {
    if (!covers(s, target, at)) continue;
    if (best === null || endOf(s) > endOf(best)) best = s;
  }
  return best;
}

/** When the silence stops being active. */
export function endOf(silence: Pick<Silence, "endsAt" | "expiredAt">): number {
  return silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
}
