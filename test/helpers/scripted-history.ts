import { migrations } from "../../src/db/migrations/index.js";
import { migrate } from "../../src/db/migrate.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteStockStore } from "../../src/store/sqlite/stock-store.js";
import { blankState, cloneState, type ProductState } from "../../src/stock/stock-state.js";
import { levelOf } from "../../src/stock/stock-types.js";

export const DAY = 86_400_000;
export const H = 3_600_000;

/** A real SQLite database with every migration. */
export function forecastDb(path: string): Db {
  const db = openDatabase(path, { migrate: false });
  migrate(db, migrations);
  return db;
}

/**
 * A shop whose history is written through the stock worker's own repository: movements into
 * `stock_movements` (the triggers of 0006 summarise them), product state, and level changes when
 * the level moves — what the stock worker leaves behind after reading Shoptet's movement log.
 */
export class ScriptedShop {
  readonly repo: SqliteStockStore;
  private nextId = 1;
  private readonly states = new Map<string, ProductState>();
  /** `sellDaily` writes no sale at or after this time (a history cannot contain the future). */
  until = Infinity;

  constructor(
    readonly db: Db,
    readonly eshopId = 1,
    readonly stockId = 1,
  ) {
    this.repo = new SqliteStockStore(db);
  }

  /** First sighting of a product at `at` with `quantity` on hand. */
  product(code: string, quantity: number, at: number, opts: { min?: number | null; name?: string } = {}): this {
    const s = blankState(this.eshopId, code, at);
    s.name = opts.name ?? `Product ${code}`;
    s.minMilli = opts.min === undefined || opts.min === null ? null : opts.min * 1000;
    s.quantityMilli = Math.round(quantity * 1000);
    s.perStock.set(this.stockId, { amountMilli: s.quantityMilli, changedAt: at });
    s.level = levelOf(quantity, opts.min ?? null);
    s.levelSince = at;
    this.repo.transaction(() => {
      this.repo.saveProduct(null, s);
      this.repo.recordLevelChange({
        eshopId: this.eshopId,
        code,
        fromLevel: null,
        toLevel: s.level,
        fromQuantityMilli: null,
        quantityMilli: s.quantityMilli,
        at,
        cause: { event: "sync", eventId: null },
      });
    });
    this.states.set(code, s);
    return this;
  }

  /** A storefront sale (changedBy customer). */
  sell(code: string, units: number, at: number, changedBy: string | null = "customer"): this {
    return this.move(code, -units, at, changedBy);
  }

  /** Goods in (changedBy admin). */
  restock(code: string, units: number, at: number, changedBy: string | null = "admin"): this {
    return this.move(code, units, at, changedBy);
  }

  /** Steady sales: `perDay` single-unit orders spread evenly over each of `days` days from `from`, up to `until`. */
  sellDaily(code: string, perDay: number, from: number, days: number, changedBy: string | null = "customer"): this {
    for (let d = 0; d < days; d++) {
      for (let k = 0; k < perDay; k++) {
        const at = from + d * DAY + Math.floor(((k + 0.5) * DAY) / perDay);
        if (at < this.until) this.sell(code, 1, at, changedBy);
      }
    }
    return this;
  }

  /** One movement of `delta` units, with the state and level history it implies. */
  move(code: string, delta: number, at: number, changedBy: string | null): this {
    const previous = this.states.get(code);
    if (!previous) throw new Error(`unknown product ${code}: call product() first`);
    const next = cloneState(previous);
    const deltaMilli = Math.round(delta * 1000);
    next.quantityMilli += deltaMilli;
    next.perStock.set(this.stockId, { amountMilli: next.quantityMilli, changedAt: at });
    next.quantityTime = at;
    next.level = levelOf(next.quantityMilli / 1000, next.minMilli === null ? null : next.minMilli / 1000);
    next.updatedAt = at;
    const id = this.nextId++;
    this.repo.transaction(() => {
      this.repo.insertMovement(
        this.eshopId,
        this.stockId,
        {
          id,
          productCode: code,
          actualAmountMilli: next.quantityMilli,
          amountChangeMilli: deltaMilli,
          sumAmountMilli: next.quantityMilli,
          changedBy,
          changeTime: at,
          productGuid: null,
        },
        at,
      );
      if (next.level !== previous.level) {
        next.levelSince = at;
        this.repo.recordLevelChange({
          eshopId: this.eshopId,
          code,
          fromLevel: previous.level,
          toLevel: next.level,
          fromQuantityMilli: previous.quantityMilli,
          quantityMilli: next.quantityMilli,
          at,
          cause: { event: "stock:movement", eventId: null },
        });
      }
      this.repo.saveProduct(previous, next);
    });
    this.states.set(code, next);
    return this;
  }

  quantity(code: string): number {
    return (this.states.get(code)?.quantityMilli ?? 0) / 1000;
  }

  /** The last movement id used (to replay one). */
  get lastMovementId(): number {
    return this.nextId - 1;
  }
}
