import type { DeadDeliveryRow } from "./digest-types.js";

/** How a digest run was started. */
export type DigestTrigger = "schedule" | "catch-up" | "manual";
/** queued: its messages are in the outbox; empty: skipped by skipEmpty; failed: building or queueing threw. */
export type DigestRunStatus = "queued" | "empty" | "failed";

/** One recorded digest run. Times are epoch ms. */
export interface DigestRun {
  id: number;
  digest: string;
  slot: number | null;
  trigger: DigestTrigger;
  periodFrom: number;
  periodTo: number;
  status: DigestRunStatus;
  messages: number;
  subject: string | null;
  error: string | null;
  createdAt: number;
  sentAt: number | null;
}

export type NewDigestRun = Omit<DigestRun, "id">;

/**
 * DigestRunStore records digest runs and when each digest was first scheduled (implementation:
 * src/store/sqlite/digest-run-store.ts). "Successful" means queued or empty: both close their
 * period. Manual runs (slot null) never move a schedule's period.
 */
export interface DigestRunStore {
  /** The newest successful scheduled (or caught-up) run: where the next scheduled period starts. */
  lastScheduled(digest: string): DigestRun | null;
  /** The successful run for this slot, if any. */
  forSlot(digest: string, slot: number): DigestRun | null;
  /** The successful run for exactly this period, if any. */
  forPeriod(digest: string, from: number, to: number): DigestRun | null;
  /** Records a run; returns its id. */
  insert(run: NewDigestRun): number;
  /**
   * When the digest was first scheduled (recording `now` the first time, or when its schedule or
   * time zone changed). Slots before it were never due, so a new digest does not fire at once for
   * a slot it never had.
   */
  firstSeen(digest: string, schedule: string, timezone: string, now: number): number;
  /** Where the oldest failed scheduled run began: before any success, the first period starts there, so a failure is not lost. */
  firstFailedFrom(digest: string): number | null;
  /** Newest first (default at most 50). */
  list(digest: string, limit?: number): DigestRun[];
}

/** An alert as the digest counts it. Times are epoch ms. */
export interface DigestAlertRow {
  rule: string;
  kind: string;
  severity: string;
  eshopId: number;
  subject: string;
  openedAt: number;
  resolvedAt: number | null;
}

/**
 * DigestReadStore reads what digest sections need beyond the stock read side (implementation:
 * src/store/sqlite/digest-read-store.ts): event counts, alerts, dead deliveries. A store is made
 * for one scope of e-shops (null: all), which event counts and alerts keep to; dead deliveries
 * are not per e-shop. Periods are half-open [from, to) in epoch ms.
 */
export interface DigestReadStore {
  /** Every stored event type, in order. */
  eventTypes(): string[];
  /** Events of this type received in the period. */
  eventCount(event: string, from: number, to: number): number;
  /** Alerts opened or resolved in the period, in id order. */
  alertsInPeriod(from: number, to: number): Iterable<DigestAlertRow>;
  /** Alerts open now, with who acknowledged them. */
  openAlerts(): Iterable<DigestAlertRow & { acknowledgedBy: string | null }>;
  /** Deliveries that died in the period (newest first, at most `limit`), their total, and how many are dead now. */
  deadDeliveries(from: number, to: number, limit: number): { total: number; deadNow: number; rows: DeadDeliveryRow[] };
}
