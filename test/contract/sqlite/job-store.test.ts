import { createSqliteJobStore } from "../../../src/store/sqlite/job-store.js";
import { jobStoreContract } from "../job-store.contract.js";
import { sqliteStore } from "../store-harness.js";

jobStoreContract("sqlite", sqliteStore((db) => createSqliteJobStore(db)));
