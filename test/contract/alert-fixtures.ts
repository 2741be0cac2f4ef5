import type { NewStockAlert } from "../../src/rules/alert-store.js";

/** A stock alert opened at `at` (a `low` warning on e-shop 1, no reminders yet); `over` changes any field. */
export function newStockAlert(at: number, over: Partial<NewStockAlert> = {}): NewStockAlert {
  return {
    rule: "low",
    checksum: "c",
    eshopId: 1,
    subject: "KAV-1",
    severity: "warning",
    state: { openedAt: at, lastNotifiedAt: at, reminders: 0, suppressed: false },
    values: {},
    now: at,
    ...over,
  };
}
