/**
 * What `/metrics` reads from storage when Prometheus scrapes. Reading at scrape time keeps the hot
 * paths free of metric bookkeeping, and stays true across restarts, threads and CLI actions.
 */
export interface MetricsStore {
  /** Rows counted by the labels of one metric, e.g. jobs by kind and status. */
  counts(what: CountedRows): LabelledCount[];
  /** When the oldest job still waiting or running was created (epoch ms), null when none. */
  oldestPendingJobAt(): number | null;
  /** When the newest outbox row was sent (epoch ms), null when none was. */
  lastSentAt(): number | null;
  /** Outbox rows sent at or after `since` (epoch ms). */
  sentSince(since: number): SentDelivery[];
  /** Per digest, when its newest successful run (queued to the outbox, or empty) finished (epoch ms). */
  lastDigestSuccess(): { digest: string; at: number }[];
}

/** The grouped row counts behind the labelled gauges (and the recovered-events counter). */
export type CountedRows = "jobs" | "deliveries" | "alerts" | "products" | "digestRuns" | "recoveredEvents";

export interface LabelledCount {
  labels: Record<string, string>;
  n: number;
}

export interface SentDelivery {
  id: number;
  channel: string;
  /** Epoch ms the row entered the outbox. */
  createdAt: number;
  /** Epoch ms it was sent. */
  sentAt: number;
}
