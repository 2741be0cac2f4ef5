import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { SqliteStockReadStore } from "../../../src/store/sqlite/stock-read-store.js";
import { SqliteStockStore } from "../../../src/store/sqlite/stock-store.js";
import { stockReadStoreContract, type StockStores } from "../stock-read-store.contract.js";
import { stockStoreContract } from "../stock-store.contract.js";
import { sqliteStore } from "../store-harness.js";
import type { Db } from "../../../src/db/open-database.js";

const stores = (db: Db): StockStores => ({ stock: new SqliteStockStore(db), reads: new SqliteStockReadStore(db), events: new SqliteEventStore(db) });

stockStoreContract("sqlite", sqliteStore(stores));
stockReadStoreContract("sqlite", sqliteStore(stores));
