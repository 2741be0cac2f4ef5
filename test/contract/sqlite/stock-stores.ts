import type { Db } from "../../../src/db/open-database.js";
import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { SqliteStockReadStore } from "../../../src/store/sqlite/stock-read-store.js";
import { SqliteStockStore } from "../../../src/store/sqlite/stock-store.js";
import type { StockStores } from "../stock-read-store.contract.js";

/** The SQLite stock stores of one database (run by stock-store.test.ts and stock-read-store.test.ts). */
export const sqliteStockStores = (db: Db): StockStores => ({
  stock: new SqliteStockStore(db),
  reads: new SqliteStockReadStore(db),
  events: new SqliteEventStore(db),
});
