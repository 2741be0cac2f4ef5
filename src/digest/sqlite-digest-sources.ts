import type { Db } from "../db/open-database.js";
import { createForecastReader } from "../forecast/forecast-reader.js";
import { SqliteDigestReadStore } from "../store/sqlite/digest-read-store.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import type { DigestScope, DigestSources } from "./digest-sources.js";
import { createDigestSources } from "./store-digest-sources.js";

/** DigestSources over the stockwatch SQLite database, for one digest's scope (see createDigestSources). */
export function createSqliteDigestSources(db: Db, scope: DigestScope = { eshops: null, products: null }): DigestSources {
  const eshops = scope.eshops && scope.eshops.length ? [...scope.eshops] : null;
  return createDigestSources(
    { reads: new SqliteDigestReadStore(db, eshops), stock: new SqliteStockReadStore(db), forecasts: () => createForecastReader(db) },
    scope,
  );
}
