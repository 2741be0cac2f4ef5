import { SqliteAlertStore } from "../../../src/store/sqlite/alert-store.js";
import { SqliteSilenceStore } from "../../../src/store/sqlite/silence-store.js";
import { silenceStoreContract } from "../silence-store.contract.js";
import { sqliteStore } from "../store-harness.js";

silenceStoreContract("sqlite", sqliteStore((db) => ({ silences: new SqliteSilenceStore(db), alerts: new SqliteAlertStore(db) })));
