/**
 * One batch of a prune: deletes at most `limit` rows (in the caller's write transaction) and
 * returns how many it deleted. A batch that deletes fewer than `limit` was the last one.
 */
export type BatchStep = (limit: number) => number;

/** Where a digest's next period starts (null: nothing known yet). */
export interface DigestStart {
  digest: string;
  start: number | null;
}

/**
 * RetentionStore: the deletes behind `stockwatch prune` (src/retention/prune-history.ts decides
 * the cutoffs and runs the batches). Each `…(cutoff)` method prepares its statements once and
 * returns the batch step; the one-statement deletes of small tables return their row counts.
 * SQLite: src/store/sqlite/retention-store.ts.
 */
export interface RetentionStore {
  /** Where each digest's next period starts: the end of its last successful scheduled run, else its oldest failed run, else when it was first scheduled. */
  digestStarts(): DigestStart[];
  /**
   * Runs the prune on a connection set up for it (no foreign-key checks per deleted row, no
   * checkpoint inside a batch's commit), sets it back, checkpoints without a lock, then checks
   * that no row points at a deleted one (throws when one does).
   */
  session(run: () => Promise<void>): Promise<void>;
  /** `step` as one write transaction (each call its own, labelled "prune"). */
  transaction(step: () => number): () => number;
  /** A checkpoint that takes no lock, between batches. */
  checkpoint(): void;
  /** Finished jobs that ran before the cutoff. */
  doneJobs(cutoff: number): BatchStep;
  /** Events received before the cutoff that nothing points at (jobs, open alerts) and every feed has read; null: no event that old. */
  events(periodCutoff: number): BatchStep | null;
  /** Events received before the cutoff that stay. */
  eventsKept(periodCutoff: number): number;
  /** Sent deliveries, last tried and sent before the cutoff. */
  sentDeliveries(cutoff: number): BatchStep;
  /** Alerts resolved before the cutoff, with the Slack incidents that point at them. */
  resolvedAlerts(periodCutoff: number): BatchStep;
  /** Slack messages last updated before the cutoff that no incident points at. */
  orphanSlackMessages(cutoff: number): BatchStep;
  /** Event-rule cooldowns last fired before the cutoff (one statement). */
  cooldowns(cutoff: number): number;
  /** Silences over before the cutoff that no alert names (one statement); null: there is no silences table. */
  silences(periodCutoff: number): number | null;
  /** Stock movements before the cutoff. */
  movements(periodCutoff: number): BatchStep;
  /** Level changes before the cutoff, except each product's newest one before it. */
  levelChanges(cutoff: number): BatchStep;
  /** Daily sales before this UTC day number; null: there is no forecast_daily table. */
  dailySales(beforeDay: number): BatchStep | null;
  /** Digest runs created before the cutoff, except each digest's last success and failures not followed by one (one statement). */
  digestRuns(cutoff: number): number;
}
