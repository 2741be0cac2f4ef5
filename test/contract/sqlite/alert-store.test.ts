import { SqliteAlertStore } from "../../../src/store/sqlite/alert-store.js";
import { alertStoreContract } from "../alert-store.contract.js";
import { sqliteStore } from "../store-harness.js";

alertStoreContract("sqlite", sqliteStore((db) => new SqliteAlertStore(db)));
