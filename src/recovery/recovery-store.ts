/** A stored event as the superseded-event check looks at it (a FeedEvent fits). */
export interface RecoveredCandidate {
  id: number;
  eshopId: number;
  eventInstance: string;
  eventCreatedMs: number;
}

/**
 * RecoveryStore holds what recovery keeps (implementation: src/store/sqlite/recovery-store.ts):
 * per-e-shop cursors into Shoptet's notification log, the recovered-events counter, and the
 * look-ups recovery and the event rules make in the stored events.
 */
export interface RecoveryStore {
  /** Where the e-shop's next pass starts (epoch ms), or null before its first complete pass. */
  cursor(eshopId: number): number | null;
  /** Records a complete pass: the next start (never moved back) and how many events it stored. */
  saveCursor(eshopId: number, fromMs: number, now: number, recovered: number): void;
  /** Adds stored events to the per-type counter; call inside the transaction that stored them. */
  countRecovered(byEvent: ReadonlyMap<string, number>): void;
  /** True when an event with this dedupe key is stored (no write lock). */
  has(dedupeKey: Buffer): boolean;
  /** Events stored by recovery, by type, ever (the metric), ordered by type. */
  counts(): { event: string; n: number }[];
  /** Runs `fn` in one write transaction (short: one chunk of events), timed as a write-lock hold. */
  transaction<T>(fn: () => T): T;
  /** The e-shops whose stored events or recovery cursors name them, each once. */
  knownEshops(): number[];
  /** Which of these stored event ids came from recovery. */
  recoveredAmong(ids: readonly number[]): Set<number>;
  /**
   * True when another stored event of the candidate's e-shop and subject, of one of `events`, is
   * newer: created later, or at the same time and stored earlier.
   */
  hasNewer(candidate: RecoveredCandidate, events: readonly string[]): boolean;
}
