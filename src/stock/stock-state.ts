import { levelOf, type Level, type ProductSnapshot, type StockChange } from "./stock-types.js";

/**
 * ProductState is the stored state of one product (variant) code in integer thousandths, with the
 * bookkeeping that keeps it right under out-of-order input: the Shoptet time behind each amount
 * lets an older observation lose against a newer one.
 */
export interface AmountState {
  amountMilli: number;
  /** Shoptet time of the change behind this amount; null when unknown. */
  changedAt: number | null;
}

export interface ProductState {
  eshopId: number;
  code: string;
  guid: string | null;
  name: string | null;
  quantityMilli: number;
  quantityTime: number | null;
  /**
   * Shoptet's id of the movement whose `sumAmount` set the quantity (null when a product detail or
   * the supplies did): two movements in different warehouses within one second carry the same
   * time, and their ids tell which total is the later one.
   */
  quantityMovementId: number | null;
  minMilli: number | null;
  minCheckedAt: number | null;
  level: Level;
  levelSince: number;
  estimated: boolean;
  levelEventMs: number | null;
  perStock: Map<number, AmountState>;
  updatedAt: number;
}

export interface Cause {
  event: string;
  eventId: number | null;
}

/** One row of the level history. */
export interface LevelChangeRecord {
  eshopId: number;
  code: string;
  fromLevel: Level | null;
  toLevel: Level;
  fromQuantityMilli: number | null;
  quantityMilli: number;
  at: number;
  cause: Cause;
}

/** A product seen for the first time: nothing in stock, nothing known. */
export function blankState(eshopId: number, code: string, now: number): ProductState {
  return {
    eshopId,
    code,
    guid: null,
    name: null,
    quantityMilli: 0,
    quantityTime: null,
    quantityMovementId: null,
    minMilli: null,
    minCheckedAt: null,
    level: "soldOut",
    levelSince: now,
    estimated: false,
    levelEventMs: null,
    perStock: new Map(),
    updatedAt: now,
  };
}

export function cloneState(s: ProductState): ProductState {
  return { ...s, perStock: new Map([...s.perStock].map(([k, v]) => [k, { ...v }])) };
}

export function toSnapshot(s: ProductState): ProductSnapshot {
  const perStock: Record<string, number> = {};
  for (const [id, a] of [...s.perStock].sort((x, y) => x[0] - y[0])) perStock[String(id)] = a.amountMilli / 1000;
  return {
    eshopId: s.eshopId,
    code: s.code,
    name: s.name,
    quantity: s.quantityMilli / 1000,
    minStockSupply: s.minMilli === null ? null : s.minMilli / 1000,
    level: s.level,
    perStock,
    ...(s.estimated ? { estimated: true } : {}),
  };
}

/** Whether an observation made at `incoming` may replace one made at `current` (equal: yes). */
export function isNotOlder(incoming: number | null, current: number | null): boolean {
  return incoming === null || current === null || incoming >= current;
}

/** Sum of the per-warehouse amounts. */
export function sumPerStock(s: ProductState): number {
  let total = 0;
  for (const a of s.perStock.values()) total += a.amountMilli;
  return total;
}

export interface Settled {
  state: ProductState;
  /** Set when level or quantity changed (or the product is new): what onStockChanges receives. */
  change: StockChange | null;
  levelChange: LevelChangeRecord | null;
}

/**
 * Finishes an update: derives the level (or takes `explicitLevel`, used when trusting a beta
 * event without a quantity), moves `levelSince` on a level change, and says what changed.
 */
export function settle(
  previous: ProductState | null,
  next: ProductState,
  now: number,
  cause: Cause,
  explicitLevel?: Level,
): Settled {
  const state = next;
  state.level = explicitLevel ?? levelOf(state.quantityMilli / 1000, state.minMilli === null ? null : state.minMilli / 1000);
  state.updatedAt = now;
  const levelChanged = previous === null || previous.level !== state.level;
  state.levelSince = levelChanged ? now : previous.levelSince;
  const changed = levelChanged || previous.quantityMilli !== state.quantityMilli;
  return {
    state,
    change: changed
      ? {
          eshopId: state.eshopId,
          code: state.code,
          previous: previous ? toSnapshot(previous) : null,
          current: toSnapshot(state),
          cause: { event: cause.event, eventId: cause.eventId },
          at: now,
        }
      : null,
    levelChange: levelChanged
      ? {
          eshopId: state.eshopId,
          code: state.code,
          fromLevel: previous?.level ?? null,
          toLevel: state.level,
          fromQuantityMilli: previous?.quantityMilli ?? null,
          quantityMilli: state.quantityMilli,
          at: now,
          cause,
        }
      : null,
  };
}
