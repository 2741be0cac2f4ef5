import { EVENT_CATALOG, STOCK_EVENTS, registrableEvents } from "../events/event-catalog.js";
import { compileGlob, type CompiledGlob } from "../rules/glob.js";
import { didYouMean } from "../rules/suggest.js";

/**
 * An event stockwatch should be registered for, and why. `explicit` marks an event the operator
 * named literally (`--events order:cancel`, or a rule with `event: order:cancel`): in a conflict
 * pair the named side wins over stockwatch's default choice.
 */
export interface WantedEvent {
  event: string;
  explicit: boolean;
  why: string;
}

/** What the event rules of a loaded rules file look like to the selection (CompiledRules fits). */
export interface RulesEvents {
  eventRules: readonly { name: string; when: { events: { readonly patterns: readonly string[]; test(value: string): boolean } } }[];
}

export type Selection = "events" | "stock-only" | "all" | "default";

/**
 * Besides the stock events, the default registers these two: the stock worker re-reads a
 * product's name and minStockSupply when they come (Shoptet reports a minStockSupply change as a
 * product change), so "low" follows the limit set in the shop.
 */
export const DEFAULT_EXTRA_EVENTS = ["product:update", "productVariant:update"] as const;

export type SelectionResult = { ok: true; selection: Selection; wanted: WantedEvent[] } | { ok: false; error: string };

const WILDCARD = /[*?[]/;

/**
 * Which events to register:
 * - `events` (`--events a,b,order:*,!order:mass*`): exactly those; names must be registrable event
 *   types, globs are expanded over the catalog, `!glob` removes what it matches;
 * - `stockOnly`: the four stock events;
 * - `all`: every registrable event (the conflict-pair losers are dropped by the planner);
 * - otherwise the default for an alerting daemon: the stock events, product:update and
 *   productVariant:update, plus every event an event rule of the rules file matches (a rule on
 *   `order:cancel` gets `order:cancel` registered: otherwise it could never fire).
 */
export function selectEvents(options: { events?: string | undefined; stockOnly?: boolean; all?: boolean; rules?: RulesEvents | null }): SelectionResult {
  const chosen = [options.events !== undefined, Boolean(options.stockOnly), Boolean(options.all)].filter(Boolean).length;
  if (chosen > 1) return { ok: false, error: "choose one of --events <list>, --stock-only and --all" };
  const registrable = registrableEvents();

  if (options.events !== undefined) {
    const items = options.events
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) return { ok: false, error: "--events needs a comma-separated list, e.g. --events stock:movement,order:cancel" };
    const wanted: WantedEvent[] = [];
    const excluded: CompiledGlob[] = [];
    for (const item of items) {
      if (item.startsWith("!")) {
        const glob = compileGlob(item.slice(1));
        if (!glob.ok) return { ok: false, error: `--events: ${glob.message}` };
        excluded.push(glob.pattern);
        continue;
      }
      if (WILDCARD.test(item)) {
        const glob = compileGlob(item);
        if (!glob.ok) return { ok: false, error: `--events: ${glob.message}` };
        const matched = registrable.filter((e) => glob.pattern.test(e));
        if (matched.length === 0) return { ok: false, error: `--events: "${item}" matches no event type Shoptet can register` };
        for (const e of matched) wanted.push({ event: e, explicit: false, why: `--events ${item}` });
        continue;
      }
      if (item.startsWith("addon:") && item in EVENT_CATALOG) {
        return { ok: false, error: `--events: ${item} is a system webhook: it is set in Shoptet's partner administration, not through the API` };
      }
      if (!registrable.includes(item)) {
        return { ok: false, error: `--events: unknown event type "${item}"${didYouMean(item, registrable)}` };
      }
      wanted.push({ event: item, explicit: true, why: "--events" });
    }
    const kept = wanted.filter((w) => !excluded.some((r) => r.test(w.event)));
    if (kept.length === 0) return { ok: false, error: "--events leaves no event to register" };
    return { ok: true, selection: "events", wanted: merge(kept) };
  }

  if (options.stockOnly) return { ok: true, selection: "stock-only", wanted: STOCK_EVENTS.map((e) => ({ event: e, explicit: false, why: "stock event" })) };
  if (options.all) return { ok: true, selection: "all", wanted: registrable.map((e) => ({ event: e, explicit: false, why: "--all" })) };

  const wanted: WantedEvent[] = [
    ...STOCK_EVENTS.map((e) => ({ event: e, explicit: false, why: "stock event" })),
    ...DEFAULT_EXTRA_EVENTS.map((e) => ({ event: e, explicit: false, why: "keeps product names and minStockSupply current" })),
  ];
  for (const rule of options.rules?.eventRules ?? []) {
    const matcher = rule.when.events;
    for (const e of registrable) {
      if (!matcher.test(e)) continue;
      wanted.push({ event: e, explicit: matcher.patterns.includes(e), why: `rule "${rule.name}"` });
    }
  }
  return { ok: true, selection: "default", wanted: merge(wanted) };
}

/** One entry per event, in first-seen order; explicit if any source named it, reasons joined. */
function merge(list: readonly WantedEvent[]): WantedEvent[] {
  const byEvent = new Map<string, WantedEvent>();
  for (const w of list) {
    const seen = byEvent.get(w.event);
    if (!seen) byEvent.set(w.event, { ...w });
    else {
      seen.explicit ||= w.explicit;
      if (!seen.why.split(", ").includes(w.why)) seen.why = `${seen.why}, ${w.why}`;
    }
  }
  return [...byEvent.values()];
}

/** The event rules that match `event` (for warning that a skipped event leaves a rule silent). */
export function rulesMatching(rules: RulesEvents | null | undefined, event: string): string[] {
  return (rules?.eventRules ?? []).filter((r) => r.when.events.test(event)).map((r) => r.name);
}
