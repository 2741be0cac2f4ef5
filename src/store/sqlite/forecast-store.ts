import type { Statement } from "better-sqlite3";
import type { Db } from "../../db/open-database.js";
import type { BlockSalesRow, ForecastProductListRow, ForecastProductRow, ForecastStore, LevelChangeRow } from "../../forecast/forecast-store.js";
import { DAY_MS, type SaleSource } from "../../forecast/forecast-types.js";

/**
 * ForecastStore on SQLite: `forecast_daily` and `forecast_seen` (migration 0006, filled by triggers
 * on the movement log), `stock_level_changes` and `stock_products`. Three indexed reads per product.
 */
export class SqliteForecastStore implements ForecastStore {
  private readonly productStmt;
  private readonly allStmt;
  private readonly dailyStmt;
  private readonly levelsStmt;
  /** One statement per `salesBy` combination. */
  private readonly blockStmts = new Map<string, Statement<[Record<string, number>], BlockSalesRow>>();

  constructor(private readonly db: Db) {
    this.productStmt = db.prepare<[number, string], ForecastProductRow>(
      `SELECT p.level, p.quantity_milli, p.name,
            (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen
       FROM stock_products p WHERE p.eshop_id = ? AND p.code = ?`,
    );
    this.allStmt = db.prepare<[], ForecastProductListRow>(
      `SELECT p.eshop_id, p.code, p.level, p.quantity_milli, p.name,
            (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen
       FROM stock_products p ORDER BY p.eshop_id, p.code`,
    );
    this.dailyStmt = db
      .prepare<[number, string, number, number], number[]>(
        `SELECT day, out_customer, out_admin, out_api, out_email, out_none FROM forecast_daily
        WHERE eshop_id = ? AND code = ? AND day >= ? AND day <= ?`,
      )
      .raw(true);
    // The last change before the window (the level the window starts with) and every change in it.
    this.levelsStmt = db
      .prepare<{ e: number; c: string; start: number; now: number }, LevelChangeRow>(
        `SELECT at, from_level, to_level FROM stock_level_changes
        WHERE eshop_id = $e AND code = $c AND at <= $now
          AND at >= coalesce((SELECT max(at) FROM stock_level_changes WHERE eshop_id = $e AND code = $c AND at < $start), $start)
        ORDER BY at, id`,
      )
      .raw(true);
  }

  product(eshopId: number, code: string): ForecastProductRow | undefined {
    return this.productStmt.get(eshopId, code);
  }

  products(): ForecastProductListRow[] {
    return this.allStmt.all();
  }

  dailySales(eshopId: number, code: string, fromDay: number, toDay: number): number[][] {
    return this.dailyStmt.all(eshopId, code, fromDay, toDay);
  }

  levelChanges(eshopId: number, code: string, start: number, now: number): LevelChangeRow[] {
    return this.levelsStmt.all({ e: eshopId, c: code, start, now });
  }

  // Sales per part of the window for every product in stock and whether it was sold out in the
  // window, in one statement (index seeks inside SQLite instead of calls per product from JS).
  blockSales(salesBy: readonly SaleSource[], blocks: readonly { firstDay: number; days: number }[], now: number): BlockSalesRow[] {
    const key = salesBy.join(",");
    let stmt = this.blockStmts.get(key);
    if (!stmt) {
      stmt = this.db.prepare<[Record<string, number>], BlockSalesRow>(blockSalesSql(salesBy, blocks.length));
      this.blockStmts.set(key, stmt);
    }
    const last = blocks[blocks.length - 1]!;
    const params: Record<string, number> = { [`d${blocks.length}`]: last.firstDay + last.days, start: blocks[0]!.firstDay * DAY_MS, now };
    blocks.forEach((b, i) => (params[`d${i}`] = b.firstDay));
    return stmt.all(params);
  }

  pruneDailySales(beforeDay: number): number {
    return this.db.prepare("DELETE FROM forecast_daily WHERE day < ?").run(beforeDay).changes;
  }
}

/**
 * The statement of blockSales. Column names come from SALE_SOURCES only, never from input. $d<i>
 * is the first day of part i; the last one is the day after the window. Subqueries rather than a
 * join and GROUP BY: the other columns are then evaluated once per product, not once per daily row.
 */
function blockSalesSql(salesBy: readonly SaleSource[], blockCount: number): string {
  const sold = salesBy.length ? salesBy.map((s) => `d.out_${s}`).join(" + ") : "0";
  const parts = Array.from(
    { length: blockCount },
    (_, i) => `(SELECT sum(${sold}) FROM forecast_daily d
                     WHERE d.eshop_id = p.eshop_id AND d.code = p.code AND d.day >= $d${i} AND d.day < $d${i + 1}) AS b${i}`,
  );
  return `SELECT p.eshop_id, p.code, p.level, p.quantity_milli, p.name,
                (SELECT s.first_seen FROM forecast_seen s WHERE s.eshop_id = p.eshop_id AND s.code = p.code) AS first_seen,
                (SELECT l.to_level FROM stock_level_changes l WHERE l.eshop_id = p.eshop_id AND l.code = p.code AND l.at < $start
                  ORDER BY l.at DESC, l.id DESC LIMIT 1) AS level_before,
                EXISTS (SELECT 1 FROM stock_level_changes l WHERE l.eshop_id = p.eshop_id AND l.code = p.code AND l.at >= $start
                          AND l.at <= $now AND (l.to_level = 'soldOut' OR l.from_level = 'soldOut')) AS sold_out_in_window,
                ${parts.join(",\n                ")}
           FROM stock_products p
          WHERE p.quantity_milli > 0
          ORDER BY p.eshop_id, p.code`;
}
