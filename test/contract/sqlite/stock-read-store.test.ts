import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../../src/db/open-database.js";
import { SqliteStockReadStore } from "../../../src/store/sqlite/stock-read-store.js";
import { tempDbPath } from "../../helpers/temp-dir.js";
import { stockReadStoreContract } from "../stock-read-store.contract.js";
import { sqliteStore } from "../store-harness.js";
import { sqliteStockStores } from "./stock-stores.js";

stockReadStoreContract("sqlite", sqliteStore(sqliteStockStores));

const DAY = 86_400_000;
const T = Date.parse("2026-03-02T00:00:00Z");
let db: Db;

beforeEach(() => {
  db = openDatabase(tempDbPath());
});
afterEach(() => db.close());

// What the read side answers is in the contract above; this is how SQLite answers it.
describe("SQLite stock reads", () => {
  it("serves digest queries from indexes on 20,000 products and 100,000 movements", () => {
    const insertP = db.prepare(
      "INSERT INTO stock_products (eshop_id, code, name, quantity_milli, level, level_since, updated_at) VALUES (2, ?, ?, ?, ?, ?, ?)",
    );
    const insertM = db.prepare(
      "INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, change_time, applied_at) VALUES (2, 1, ?, ?, ?, ?, ?)",
    );
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) insertP.run(`P${i}`, `P ${i}`, i % 7, i % 7 === 0 ? "soldOut" : "ok", T, T);
      for (let i = 0; i < 100_000; i++) insertM.run(i + 1, `P${i % 20_000}`, -((i % 5) + 1) * 1000, T + (i % 30) * DAY / 3, T);
    })();
    const reads = new SqliteStockReadStore(db);
    const top = reads.biggestOutflow({ from: T, to: T + DAY, eshopId: 2, limit: 10 });
    const soldOut = reads.soldOutNow(2);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM stock_products WHERE level = 'soldOut' AND eshop_id = 2").all() as { detail: string }[];
    expect(top).toHaveLength(10);
    expect(soldOut.length).toBe(Math.ceil(20_000 / 7));
    expect(plan.map((p) => p.detail).join(" ")).toMatch(/USING INDEX stock_products_by_level/);
    // The period query searches by time, whichever time index the schema offers, never a full scan.
    const outflowPlan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT m.code FROM stock_movements m
          WHERE m.change_time >= 1 AND m.change_time < 2 AND +m.eshop_id = 2`,
      )
      .all() as { detail: string }[];
    expect(outflowPlan.map((p) => p.detail).join(" ")).toMatch(/SEARCH m USING (COVERING )?INDEX \w+ \(change_time>\? AND change_time<\?\)/);
  });
});
