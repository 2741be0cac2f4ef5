import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { SqliteRecoveryStore } from "../../../src/store/sqlite/recovery-store.js";
import { recoveryStoreContract } from "../recovery-store.contract.js";
import { sqliteStore } from "../store-harness.js";

recoveryStoreContract(
  "sqlite",
  sqliteStore((db) => ({ recovery: new SqliteRecoveryStore(db), events: new SqliteEventStore(db) })),
);
