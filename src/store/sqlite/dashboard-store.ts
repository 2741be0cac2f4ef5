import type { DashboardDigestRun } from "../../dashboard/dashboard-data.js";
import type { DashboardStore } from "../../dashboard/dashboard-store.js";
import type { Db } from "../../db/open-database.js";

/** DashboardStore on SQLite: the events and digest_runs tables. */
export class SqliteDashboardStore implements DashboardStore {
  private readonly types;
  private readonly runs;

  constructor(db: Db) {
    this.types = db.prepare<[], string>("SELECT DISTINCT event FROM events ORDER BY event").pluck();
    this.runs = db.prepare<[number], DashboardDigestRun>(
      `SELECT digest, period_from AS periodFromMs, period_to AS periodToMs, status
       FROM digest_runs ORDER BY id DESC LIMIT ?`,
    );
  }

  eventTypes(): string[] {
    return this.types.all();
  }

  digestRuns(limit: number): DashboardDigestRun[] {
    return this.runs.all(limit);
  }
}
