import { SqliteDigestRunStore } from "../../../src/store/sqlite/digest-run-store.js";
import { SqliteDashboardStore } from "../../../src/store/sqlite/dashboard-store.js";
import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { dashboardStoreContract } from "../dashboard-store.contract.js";
import { sqliteStore } from "../store-harness.js";

dashboardStoreContract(
  "sqlite",
  sqliteStore((db) => ({ dashboard: new SqliteDashboardStore(db), events: new SqliteEventStore(db), digestRuns: new SqliteDigestRunStore(db) })),
);
