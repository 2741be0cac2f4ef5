import type { Db } from "../db/open-database.js";
import { SqliteHistoryStore } from "../store/sqlite/history-store.js";
import { levelOf, type Level, type ProductSnapshot, type StockChange } from "../stock/stock-types.js";
import type { RuleEvent } from "./evaluate-event.js";
import type { HistoryStore, LevelChangeRow, MovementRow } from "./history-store.js";

/**
 * Reads stored history for `rules test`, as the rules engine saw it live: events from `events`,
 * and product changes rebuilt from the stock worker's `stock_movements` (per-warehouse amounts
 * and the total after each movement) and `stock_level_changes` (level changes, including those
 * from beta events). Names and minStockSupply are today's (history of those is not kept).
 * Tables that do not exist yet are read as empty.
 */
export function storedEvents(db: Db, from: number, to: number): Iterable<RuleEvent> {
  return new SqliteHistoryStore(db).events(from, to);
}

export function countStoredEvents(db: Db, from: number, to: number): number {
  return new SqliteHistoryStore(db).countEvents(from, to);
}

interface Product {
  eshopId: number;
  code: string;
  name: string | null;
  minMilli: number | null;
  totalMilli: number | null;
  perStock: Record<string, number>;
  snapshot: ProductSnapshot | null;
}

export interface StockHistory {
  /** Each product's state at `from` (evaluated silently before the replay). */
  warmup: StockChange[];
  /** Changes between `from` and `to`, in time order. */
  changes: Iterable<StockChange>;
}

export function storedStockHistory(db: Db, from: number, to: number): StockHistory {
  return stockHistoryFrom(new SqliteHistoryStore(db), from, to);
}

/** The products' state at `from` and their changes up to `to`, rebuilt from the store's history. */
export function stockHistoryFrom(store: HistoryStore, from: number, to: number): StockHistory {
  const products = new Map<string, Product>();
  const meta = new Map<string, { name: string | null; min: number | null }>();
  for (const r of store.productMeta()) meta.set(key(r[0], r[1]), { name: r[2], min: r[3] });
  const product = (eshopId: number, code: string): Product => {
    const k = key(eshopId, code);
    let p = products.get(k);
    if (!p) {
      const m = meta.get(k);
      p = { eshopId, code, name: m?.name ?? null, minMilli: m?.min ?? null, totalMilli: null, perStock: {}, snapshot: null };
      products.set(k, p);
    }
    return p;
  };
  const warmup = warmupAt(store, from, products, product);
  const movements = store.movements(from, to);
  const levels = store.levelChanges(from, to);

  function* changes(): Generator<StockChange> {
    for (const [source, r] of mergeByTime<MovementRow, LevelChangeRow>(movements, levels)) {
      const p = product(r[1], r[2]);
      if (source === 0) {
        const m = r as MovementRow;
        if (m[4] !== null) p.perStock[String(m[3])] = m[4];
        p.totalMilli = m[5] ?? sum(p.perStock);
        yield step(p, null, "stock:movement", null, m[0]);
      } else {
        const l = r as LevelChangeRow;
        p.totalMilli = l[3];
        yield step(p, l[4], l[5], l[6], l[0]);
      }
    }
  }
  return { warmup, changes: { [Symbol.iterator]: changes } };
}

/** Advances a product to a new snapshot and returns the change. */
function step(p: Product, level: Level | null, cause: string, eventId: number | null, at: number): StockChange {
  const quantity = (p.totalMilli ?? 0) / 1000;
  const min = p.minMilli === null ? null : p.minMilli / 1000;
  const perStock: Record<string, number> = {};
  for (const [id, milli] of Object.entries(p.perStock)) perStock[id] = milli / 1000;
  const current: ProductSnapshot = {
    eshopId: p.eshopId,
    code: p.code,
    name: p.name,
    quantity,
    minStockSupply: min,
    level: level ?? levelOf(quantity, min),
    perStock,
  };
  const change: StockChange = { eshopId: p.eshopId, code: p.code, previous: p.snapshot, current, cause: { event: cause, eventId }, at };
  p.snapshot = current;
  return change;
}

/**
 * Each product's state at `from` (the last amount per warehouse and the last total or level
 * before it), as the silent changes evaluated before the replay.
 */
function warmupAt(
  store: HistoryStore,
  from: number,
  products: Map<string, Product>,
  product: (eshopId: number, code: string) => Product,
): StockChange[] {
  const lastTotal = new Map<string, { at: number; milli: number; level: Level | null }>();
  for (const r of store.lastMovementsBefore(from)) {
    const p = product(r[0], r[1]);
    if (r[3] !== null) p.perStock[String(r[2])] = r[3];
    const prior = lastTotal.get(key(p.eshopId, p.code));
    if (r[4] !== null && (!prior || prior.at <= r[5])) {
      lastTotal.set(key(p.eshopId, p.code), { at: r[5], milli: r[4], level: null });
    }
  }
  for (const r of store.lastLevelsBefore(from)) {
    const p = product(r[0], r[1]);
    const prior = lastTotal.get(key(p.eshopId, p.code));
    if (!prior || prior.at <= r[4]) {
      lastTotal.set(key(p.eshopId, p.code), { at: r[4], milli: r[2], level: r[3] });
    }
  }
  const warmup: StockChange[] = [];
  for (const p of products.values()) {
    const t = lastTotal.get(key(p.eshopId, p.code));
    p.totalMilli = t?.milli ?? sum(p.perStock);
    warmup.push(step(p, t?.level ?? null, "rules:test", null, from));
  }
  return warmup;
}

/** Merges two time-ordered row streams (time in column 0); ties go to the first stream. */
function* mergeByTime<A extends unknown[], B extends unknown[]>(a: Iterable<A>, b: Iterable<B>): Generator<[0 | 1, A | B]> {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  let ra = ia.next();
  let rb = ib.next();
  while (!ra.done || !rb.done) {
    if (!ra.done && (rb.done || (ra.value[0] as number) <= (rb.value[0] as number))) {
      yield [0, ra.value];
      ra = ia.next();
    } else if (!rb.done) {
      yield [1, rb.value];
      rb = ib.next();
    }
  }
}

function key(eshopId: number, code: string): string {
  return `${eshopId}\u0000${code}`;
}

function sum(values: Record<string, number>): number {
  let total = 0;
  for (const v of Object.values(values)) total += v;
  return total;
}
