import { createSqliteOutboxStore } from "../../../src/store/sqlite/outbox-store.js";
import { outboxStoreContract } from "../outbox-store.contract.js";
import { sqliteStore } from "../store-harness.js";

outboxStoreContract("sqlite", sqliteStore((db) => createSqliteOutboxStore(db)));
