import type { Db } from "../../db/open-database.js";
import type {
  BackInStock,
  LevelChangeView,
  LevelNow,
  Outflow,
  ProductQuery,
  ProductView,
  StockPeriod,
  StockReadStore,
} from "../../stock/stock-read-store.js";
import type { Level } from "../../stock/stock-types.js";

interface Row {
  eshop_id: number;
  code: string;
  name: string | null;
  quantity_milli: number;
  min_milli: number | null;
  level: string;
  level_since: number;
  updated_at: number;
  estimated: number;
  per_stock: string | null;
}

const SELECT_VIEW = `
  SELECT p.eshop_id, p.code, p.name, p.quantity_milli, p.min_milli, p.level, p.level_since, p.updated_at, p.estimated,
         (SELECT json_group_object(a.stock_id, a.amount_milli) FROM stock_amounts a
           WHERE a.eshop_id = p.eshop_id AND a.code = p.code) AS per_stock
    FROM stock_products p`;

function toView(r: Row): ProductView {
  const perStock: Record<string, number> = {};
  if (r.per_stock) {
    for (const [k, v] of Object.entries(JSON.parse(r.per_stock) as Record<string, number>)) perStock[k] = v / 1000;
  }
  return {
    eshopId: r.eshop_id,
    code: r.code,
    name: r.name,
    quantity: r.quantity_milli / 1000,
    minStockSupply: r.min_milli === null ? null : r.min_milli / 1000,
    level: r.level as Level,
    perStock,
    updatedAt: new Date(r.updated_at).toISOString(),
    levelSince: new Date(r.level_since).toISOString(),
    estimated: r.estimated === 1,
  };
}

/** The period's parameters, with the e-shop's when it names one. */
function periodParams(period: StockPeriod): number[] {
  return period.eshopId === undefined ? [period.from, period.to] : [period.from, period.to, period.eshopId];
}

/**
 * StockReadStore on SQLite. Every query is served by an index of migration 0002 (level,
 * product+time, time).
 */
export class SqliteStockReadStore implements StockReadStore {
  constructor(private readonly db: Db) {}

  listProducts(query: ProductQuery = {}): ProductView[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.level) {
      where.push("p.level = ?");
      params.push(query.level);
    }
    if (query.eshopId !== undefined) {
      where.push("p.eshop_id = ?");
      params.push(query.eshopId);
    }
    if (query.codePrefix) {
      where.push("p.code >= ? AND p.code < ?");
      params.push(query.codePrefix, `${query.codePrefix}\uffff`);
    }
    params.push(Math.min(Math.max(query.limit ?? 1000, 1), 100_000), Math.max(query.offset ?? 0, 0));
    const sql = `${SELECT_VIEW} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY p.eshop_id, p.code LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(...params) as Row[]).map(toView);
  }

  getProduct(eshopId: number, code: string): ProductView | null {
    const row = this.db.prepare(`${SELECT_VIEW} WHERE p.eshop_id = ? AND p.code = ?`).get(eshopId, code) as Row | undefined;
    return row ? toView(row) : null;
  }

  countByLevel(eshopId?: number): Record<Level, number> {
    const out: Record<Level, number> = { soldOut: 0, low: 0, ok: 0 };
    const rows = (
      eshopId === undefined
        ? this.db.prepare("SELECT level, count(*) AS n FROM stock_products GROUP BY level").all()
        : this.db.prepare("SELECT level, count(*) AS n FROM stock_products WHERE eshop_id = ? GROUP BY level").all(eshopId)
    ) as { level: Level; n: number }[];
    for (const r of rows) out[r.level] = r.n;
    return out;
  }

  soldOutNow(eshopId?: number): LevelNow[] {
    return this.atLevelNow("soldOut", eshopId);
  }

  lowNow(eshopId?: number): LevelNow[] {
    return this.atLevelNow("low", eshopId);
  }

  private atLevelNow(level: Level, eshopId?: number): LevelNow[] {
    const rows = (
      eshopId === undefined
        ? this.db.prepare(`${SELECT_VIEW} WHERE p.level = ? ORDER BY p.level_since, p.eshop_id, p.code`).all(level)
        : this.db.prepare(`${SELECT_VIEW} WHERE p.level = ? AND p.eshop_id = ? ORDER BY p.level_since, p.code`).all(level, eshopId)
    ) as Row[];
    return rows.map((r) => ({ ...toView(r), sinceMs: r.level_since }));
  }

  backInStock(period: StockPeriod): BackInStock[] {
    const rows = this.db
      .prepare(
        `SELECT c.eshop_id, c.code, c.at, c.quantity_milli, p.name, p.level AS level_now,
                (SELECT max(s.at) FROM stock_level_changes s
                  WHERE s.eshop_id = c.eshop_id AND s.code = c.code AND s.to_level = 'soldOut' AND s.at <= c.at) AS sold_out_at
           FROM stock_level_changes c
           LEFT JOIN stock_products p ON p.eshop_id = c.eshop_id AND p.code = c.code
          WHERE c.at >= ? AND c.at < ? AND c.from_level = 'soldOut' AND c.to_level <> 'soldOut'
            ${period.eshopId === undefined ? "" : "AND c.eshop_id = ?"}
          ORDER BY c.at`,
      )
      .all(...periodParams(period)) as {
      eshop_id: number;
      code: string;
      at: number;
      quantity_milli: number;
      name: string | null;
      level_now: Level | null;
      sold_out_at: number | null;
    }[];
    return rows.map((r) => ({
      eshopId: r.eshop_id,
      code: r.code,
      name: r.name,
      at: r.at,
      soldOutAt: r.sold_out_at,
      outForMs: r.sold_out_at === null ? null : r.at - r.sold_out_at,
      quantity: r.quantity_milli / 1000,
      levelNow: r.level_now,
    }));
  }

  biggestOutflow(period: StockPeriod & { limit?: number }): Outflow[] {
    // `+m.eshop_id` keeps SQLite on the time index: a period is far more selective than an e-shop.
    const rows = this.db
      .prepare(
        `SELECT m.eshop_id, m.code,
                -sum(CASE WHEN m.amount_change_milli < 0 THEN m.amount_change_milli ELSE 0 END) AS out_milli,
                sum(CASE WHEN m.amount_change_milli > 0 THEN m.amount_change_milli ELSE 0 END) AS in_milli,
                count(*) AS n, p.name, p.quantity_milli
           FROM stock_movements m
           LEFT JOIN stock_products p ON p.eshop_id = m.eshop_id AND p.code = m.code
          WHERE m.change_time >= ? AND m.change_time < ? ${period.eshopId === undefined ? "" : "AND +m.eshop_id = ?"}
          GROUP BY m.eshop_id, m.code
         HAVING out_milli > 0
          ORDER BY out_milli DESC, m.code
          LIMIT ?`,
      )
      .all(...periodParams(period), period.limit ?? 10) as {
      eshop_id: number;
      code: string;
      out_milli: number;
      in_milli: number;
      n: number;
      name: string | null;
      quantity_milli: number | null;
    }[];
    return rows.map((r) => ({
      eshopId: r.eshop_id,
      code: r.code,
      name: r.name,
      outflow: r.out_milli / 1000,
      inflow: r.in_milli / 1000,
      movements: r.n,
      quantityNow: r.quantity_milli === null ? null : r.quantity_milli / 1000,
    }));
  }

  dailyOutflow(q: { eshopId: number; code: string; from: number; to: number }): { day: number; outflow: number }[] {
    const rows = this.db
      .prepare(
        `SELECT (change_time / 86400000) * 86400000 AS day,
                -sum(CASE WHEN amount_change_milli < 0 THEN amount_change_milli ELSE 0 END) AS out_milli
           FROM stock_movements
          WHERE eshop_id = ? AND code = ? AND change_time >= ? AND change_time < ?
          GROUP BY day ORDER BY day`,
      )
      .all(q.eshopId, q.code, q.from, q.to) as { day: number; out_milli: number }[];
    return rows.map((r) => ({ day: r.day, outflow: r.out_milli / 1000 }));
  }

  levelChanges(period: StockPeriod): LevelChangeView[] {
    const rows = this.db
      .prepare(
        `SELECT eshop_id, code, from_level, to_level, quantity_milli, at, cause_event FROM stock_level_changes
          WHERE at >= ? AND at < ? ${period.eshopId === undefined ? "" : "AND eshop_id = ?"} ORDER BY at, id`,
      )
      .all(...periodParams(period)) as {
      eshop_id: number;
      code: string;
      from_level: Level | null;
      to_level: Level;
      quantity_milli: number;
      at: number;
      cause_event: string;
    }[];
    return rows.map((r) => ({
      eshopId: r.eshop_id,
      code: r.code,
      fromLevel: r.from_level,
      toLevel: r.to_level,
      quantity: r.quantity_milli / 1000,
      at: r.at,
      cause: r.cause_event,
    }));
  }

  knownEshops(): number[] {
    const rows = this.db.prepare("SELECT eshop_id FROM events UNION SELECT eshop_id FROM stock_products").all() as { eshop_id: number }[];
    return rows.map((r) => r.eshop_id);
  }
}
