import type { Webhook } from "../shoptet/shoptet-types.js";
import { CONFLICT_PAIRS, conflictPartners } from "./conflict-pairs.js";
import type { WantedEvent } from "./event-selection.js";
import { pathOf, sameUrl } from "./webhook-url.js";

/** One decision of a registration plan. Every step carries the reason shown to the operator. */
export type PlanStep =
  /** Not registered yet: create it with our URL. */
  | { kind: "add"; event: string; reason: string }
  /** Registered to an older address of this daemon (same path): point it at our URL. */
  | { kind: "update-url"; event: string; id: number; from: string; reason: string }
  /** Already registered to our URL. */
  | { kind: "keep"; event: string; id: number; reason: string }
  /** Not registered: Shoptet refuses it next to `other` (409); `other` is kept or already there. */
  | { kind: "skip-conflict"; event: string; other: string; reason: string }
  /** Registered to a different receiver; left alone unless `takeOver`. */
  | { kind: "skip-taken"; event: string; id: number; url: string; reason: string };

export interface RegistrationPlan {
  url: string;
  steps: PlanStep[];
  /** Registrations of our URL for events that were not asked for (left as they are). */
  extra: Webhook[];
}

export interface PlanOptions {
  /** Point events registered to another URL at ours, whatever their path. */
  takeOver?: boolean;
}

/**
 * Plans a registration (pure): what to add, re-point, keep or skip so that Shoptet delivers the
 * wanted events to `url`, given what the installation has registered now.
 *
 * - Conflict pairs (`order:update`/`order:cancel`, `customer:update`/`customer:{disable,enable}Orders`)
 *   are never both planned: the side the operator named wins, else the side already registered to
 *   this daemon (no churn), else stockwatch's default (`order:update`, `customer:update`, the
 *   broader events). An event whose partner is already
 *   registered (to any URL) and not being replaced is skipped too: adding it would be refused.
 * - Shoptet holds one URL per event. An event registered to another URL with the same path as ours
 *   is taken to be this daemon at an old address and re-pointed; any other URL belongs to someone
 *   else and is left alone (reported), unless `takeOver`.
 * - Registrations of our URL that were not asked for are listed in `extra`, never removed here.
 */
export function planRegistration(
  existing: readonly Webhook[],
  wanted: readonly WantedEvent[],
  url: string,
  options: PlanOptions = {},
): RegistrationPlan {
  const byEvent = new Map<string, WantedEvent>();
  for (const w of wanted) if (!byEvent.has(w.event)) byEvent.set(w.event, w);
  const registered = new Map<string, Webhook[]>();
  for (const w of existing) registered.set(w.event, [...(registered.get(w.event) ?? []), w]);
  // Registered to this daemon: our URL, or an older address of it (same path) that would be re-pointed.
  const registeredHere = (event: string) =>
    (registered.get(event) ?? []).some((x) => sameUrl(x.url, url) || pathOf(x.url) === pathOf(url));

  const losers = conflictLosers(byEvent, registeredHere);
  const planned = new Set([...byEvent.keys()].filter((e) => !losers.has(e)));
  const context: StepContext = { url, registered, planned, takeOver: Boolean(options.takeOver) };
  const steps = [...byEvent.values()].map((w) => losers.get(w.event) ?? stepFor(w, context));
  const extra = existing.filter((x) => sameUrl(x.url, url) && !byEvent.has(x.event));
  return { url, steps, extra };
}

/** The skipped side of each conflict pair among the wanted events, by event. */
function conflictLosers(byEvent: ReadonlyMap<string, WantedEvent>, registeredHere: (event: string) => boolean): Map<string, PlanStep> {
  const losers = new Map<string, PlanStep>();
  for (const pair of CONFLICT_PAIRS) {
    const keep = byEvent.get(pair.keep);
    const drop = byEvent.get(pair.drop);
    if (!keep || !drop || losers.has(pair.keep) || losers.has(pair.drop)) continue;
    let winner = keep;
    let loser = drop;
    let reason: string;
    if (drop.explicit && !keep.explicit) {
      winner = drop;
      loser = keep;
      reason = `you asked for ${drop.event}, and Shoptet refuses ${keep.event} next to it (409)`;
    } else if (drop.explicit === keep.explicit && registeredHere(drop.event) && !registeredHere(keep.event)) {
      // Already switched to the other side (an earlier run was asked to): keep it, no churn.
      winner = drop;
      loser = keep;
      reason = `${drop.event} is already registered to this daemon, and Shoptet refuses ${keep.event} next to it (409)`;
    } else if (drop.explicit && keep.explicit) {
      reason =
        `Shoptet refuses ${pair.keep} and ${pair.drop} together (409); both were asked for, chose ${pair.keep}: ${pair.why}`;
    } else {
      reason =
        `Shoptet refuses ${pair.keep} and ${pair.drop} together (409); chose ${pair.keep}: ${pair.why}. ` +
        `To receive ${pair.drop} instead, name it: --events …,${pair.drop}`;
    }
    losers.set(loser.event, { kind: "skip-conflict", event: loser.event, other: winner.event, reason });
  }
  return losers;
}

interface StepContext {
  url: string;
  /** What the installation has registered, by event. */
  registered: ReadonlyMap<string, Webhook[]>;
  /** The wanted events that won their conflict pair (or have none). */
  planned: ReadonlySet<string>;
  takeOver: boolean;
}

/** The step for one wanted event that is not a conflict loser, against what is registered. */
function stepFor(w: WantedEvent, { url, registered, planned, takeOver }: StepContext): PlanStep {
  const mine = registered.get(w.event) ?? [];
  const ours = mine.find((x) => sameUrl(x.url, url));
  if (ours) return { kind: "keep", event: w.event, id: ours.id, reason: "already registered to this URL" };
  const other = mine[0];
  if (other) {
    if (takeOver || pathOf(other.url) === pathOf(url)) {
      return {
        kind: "update-url",
        event: w.event,
        id: other.id,
        from: other.url,
        reason: takeOver ? "taken over (--take-over)" : "registered to an older address of this daemon (same path)",
      };
    }
    return {
      kind: "skip-taken",
      event: w.event,
      id: other.id,
      url: other.url,
      reason:
        `registered to ${other.url} (Shoptet allows one URL per event); left alone because it may be another ` +
        `receiver: pass --take-over to point it here`,
    };
  }
  // Not registered: would a registered partner make Shoptet refuse it?
  const block = conflictPartners(w.event).flatMap((p) => (planned.has(p) ? [] : (registered.get(p) ?? [])))[0];
  if (block) {
    const isOurs = sameUrl(block.url, url);
    return {
      kind: "skip-conflict",
      event: w.event,
      other: block.event,
      reason:
        `${block.event} is registered (id ${block.id}, ${isOurs ? "this URL" : block.url}) and Shoptet refuses ${w.event} next to it (409)` +
        (isOurs ? `: run \`stockwatch webhooks unregister --events ${block.event}\` first to switch` : ""),
    };
  }
  return { kind: "add", event: w.event, reason: w.why };
}

