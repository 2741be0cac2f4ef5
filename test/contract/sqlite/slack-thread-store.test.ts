import { SqliteSlackThreadStore } from "../../../src/store/sqlite/slack-thread-store.js";
import { slackThreadStoreContract } from "../slack-thread-store.contract.js";
import { sqliteStore } from "../store-harness.js";

slackThreadStoreContract("sqlite", sqliteStore((db) => new SqliteSlackThreadStore(db)));
