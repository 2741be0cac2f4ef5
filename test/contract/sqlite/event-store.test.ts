import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { eventStoreContract } from "../event-store.contract.js";
import { sqliteStore } from "../store-harness.js";

// A window of 7 ids: most answers of a filter by type need both the primary-key walk and the type index.
eventStoreContract("sqlite", sqliteStore((db) => new SqliteEventStore(db, 7)));
