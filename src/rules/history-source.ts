import type { Db } from "../db/open-database.js";
import { levelOf, type Level, type ProductSnapshot, type StockChange } from "../stock/stock-types.js";
import type { RuleEvent } from "./evaluate-event.js";

/**
 * Reads stored history for `rules test`, as the rules engine saw it live: events from `events`,
 * and product changes rebuilt from the stock worker's `stock_movements` (per-warehouse amounts
 * and the total after each movement) and `stock_level_changes` (level changes, including those
 * from beta events). Names and minStockSupply are today's (history of those is not kept).
 * Tables that do not exist yet are read as empty.
 */
export function storedEvents(db: Db, from: number, to: number): Iterable<RuleEvent> {
  if (!hasTable(db, "events")) return [];
  const stmt = db
    .prepare<[number, number], unknown[]>(
      `SELECT id, eshop_id, event, event_instance, received_at FROM events
        WHERE received_at >= ? AND received_at <= ? ORDER BY received_at, id`,
    )
    .raw(true);
  return mapIter(stmt.iterate(from, to), (r) => ({
    id: r[0] as number,
    eshopId: r[1] as number,
    event: r[2] as string,
    eventInstance: r[3] as string,
    receivedAt: r[4] as number,
  }));
}

export function countStoredEvents(db: Db, from: number, to: number): number {
  if (!hasTable(db, "events")) return 0;
  return (db.prepare("SELECT count(*) AS n FROM events WHERE received_at >= ? AND received_at <= ?").get(from, to) as { n: number }).n;
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
  const products = new Map<string, Product>();
  const meta = new Map<string, { name: string | null; min: number | null }>();
  if (hasTable(db, "stock_products")) {
    const rows = db.prepare("SELECT eshop_id, code, name, min_milli FROM stock_products").raw(true).iterate() as Iterable<unknown[]>;
    for (const r of rows) meta.set(key(r[0] as number, r[1] as string), { name: r[2] as string | null, min: r[3] as number | null });
  }
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
  const hasMovements = hasTable(db, "stock_movements");
  const hasLevels = hasTable(db, "stock_level_changes");

  // State at `from`: the last amount per warehouse and the last total or level before it.
  const lastTotal = new Map<string, { at: number; milli: number; level: Level | null }>();
  if (hasMovements) {
    const rows = db
      .prepare(
        `SELECT eshop_id, code, stock_id, actual_amount_milli, sum_amount_milli, max(change_time) FROM stock_movements
          WHERE change_time < ? GROUP BY eshop_id, code, stock_id`,
      )
      .raw(true)
      .iterate(from) as Iterable<unknown[]>;
    for (const r of rows) {
      const p = product(r[0] as number, r[1] as string);
      if (r[3] !== null) p.perStock[String(r[2])] = r[3] as number;
      const prior = lastTotal.get(key(p.eshopId, p.code));
      if (r[4] !== null && (!prior || prior.at <= (r[5] as number))) {
        lastTotal.set(key(p.eshopId, p.code), { at: r[5] as number, milli: r[4] as number, level: null });
      }
    }
  }
  if (hasLevels) {
    const rows = db
      .prepare(`SELECT eshop_id, code, quantity_milli, to_level, max(at) FROM stock_level_changes WHERE at < ? GROUP BY eshop_id, code`)
      .raw(true)
      .iterate(from) as Iterable<unknown[]>;
    for (const r of rows) {
      const p = product(r[0] as number, r[1] as string);
      const prior = lastTotal.get(key(p.eshopId, p.code));
      if (!prior || prior.at <= (r[4] as number)) {
        lastTotal.set(key(p.eshopId, p.code), { at: r[4] as number, milli: r[2] as number, level: r[3] as Level });
      }
    }
  }
  const warmup: StockChange[] = [];
  for (const p of products.values()) {
    const t = lastTotal.get(key(p.eshopId, p.code));
    p.totalMilli = t?.milli ?? sum(p.perStock);
    warmup.push(step(p, t?.level ?? null, "rules:test", null, from));
  }

  const movements: Iterable<unknown[]> = hasMovements
    ? (db
        .prepare(
          `SELECT change_time, eshop_id, code, stock_id, actual_amount_milli, sum_amount_milli FROM stock_movements
            WHERE change_time >= ? AND change_time <= ? ORDER BY change_time, eshop_id, stock_id, movement_id`,
        )
        .raw(true)
        .iterate(from, to) as Iterable<unknown[]>)
    : [];
  const levels: Iterable<unknown[]> = hasLevels
    ? (db
        .prepare(
          `SELECT at, eshop_id, code, quantity_milli, to_level, cause_event, cause_event_id FROM stock_level_changes
            WHERE at >= ? AND at <= ? ORDER BY at, id`,
        )
        .raw(true)
        .iterate(from, to) as Iterable<unknown[]>)
    : [];

  function* changes(): Generator<StockChange> {
    for (const [source, r] of mergeByTime(movements, levels)) {
      const p = product(r[1] as number, r[2] as string);
      if (source === 0) {
        if (r[4] !== null) p.perStock[String(r[3])] = r[4] as number;
        p.totalMilli = (r[5] as number | null) ?? sum(p.perStock);
        yield step(p, null, "stock:movement", null, r[0] as number);
      } else {
        p.totalMilli = r[3] as number;
        yield step(p, r[4] as Level, r[5] as string, r[6] as number | null, r[0] as number);
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

/** Merges two time-ordered row streams (time in column 0); ties go to the first stream. */
function* mergeByTime(a: Iterable<unknown[]>, b: Iterable<unknown[]>): Generator<[0 | 1, unknown[]]> {
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

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of it) yield f(a);
}

function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function key(eshopId: number, code: string): string {
  return `${eshopId}\u0000${code}`;
}

function sum(values: Record<string, number>): number {
  let total = 0;
  for (const v of Object.values(values)) total += v;
  return total;
}
