import type { Db } from "../../src/db/open-database.js";
import type { ProductQuery, ProductView } from "../../src/stock/stock-read-store.js";
import { SqliteStockReadStore } from "../../src/store/sqlite/stock-read-store.js";

/** A product as `GET /api/products` shows it, read from the database (SqliteStockReadStore). */
export function getProduct(db: Db, eshopId: number, code: string): ProductView | null {
  return new SqliteStockReadStore(db).getProduct(eshopId, code);
}

/** Products as `GET /api/products` lists them, read from the database (SqliteStockReadStore). */
export function listProducts(db: Db, query: ProductQuery = {}): ProductView[] {
  return new SqliteStockReadStore(db).listProducts(query);
}
