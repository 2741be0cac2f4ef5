/**
 * A pair of events Shoptet refuses to have registered together in one installation (409
 * Conflict; the event table of the spec, facts.md §2). `keep` is stockwatch's choice when both
 * are wanted and the operator did not name one of them, and `why` says why it is the better one.
 */
export interface ConflictPair {
  keep: string;
  drop: string;
  why: string;
}

export const CONFLICT_PAIRS: readonly ConflictPair[] = [
  {
    keep: "order:update",
    drop: "order:cancel",
    why: "order:update is the broader event: it comes for every change of an order, a cancellation included",
  },
  {
    keep: "customer:update",
    drop: "customer:disableOrders",
    why: "customer:update is the broader event: it comes for every change of a customer",
  },
  {
    keep: "customer:update",
    drop: "customer:enableOrders",
    why: "customer:update is the broader event: it comes for every change of a customer",
  },
];

/** The events `event` cannot be registered together with. */
export function conflictPartners(event: string): string[] {
  const out: string[] = [];
  for (const p of CONFLICT_PAIRS) {
    if (p.keep === event) out.push(p.drop);
    else if (p.drop === event) out.push(p.keep);
  }
  return out;
}
