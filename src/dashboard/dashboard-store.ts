import type { DashboardDigestRun } from "./dashboard-data.js";

/**
 * What the dashboard reads that no other repository answers (implementation:
 * src/store/sqlite/dashboard-store.ts).
 */
export interface DashboardStore {
  /** Every event type stored, alphabetically: the choices of the events filter. */
  eventTypes(): string[];
  /** The last `limit` digest runs recorded, the newest first. */
  digestRuns(limit: number): DashboardDigestRun[];
}
