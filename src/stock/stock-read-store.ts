import type { Level, ProductSnapshot } from "./stock-types.js";

/** A product as `GET /api/products` shows it: the rules' snapshot with times, its estimate always said. */
export interface ProductView extends Omit<ProductSnapshot, "perStock" | "estimated"> {
  perStock: Record<string, number>;
  /** ISO time of the last state change. */
  updatedAt: string;
  /** ISO time since when the product has its current level. */
  levelSince: string;
  /** True when the quantity was inferred from a beta event (no API token). */
  estimated: boolean;
}

export interface ProductQuery {
  level?: Level;
  eshopId?: number;
  /** Product code prefix filter. */
  codePrefix?: string;
  limit?: number;
  offset?: number;
}

/** A product currently at a level, with since when (epoch ms). */
export interface LevelNow extends ProductView {
  sinceMs: number;
}

/** A product that came back from sold out within a period. */
export interface BackInStock {
  eshopId: number;
  code: string;
  name: string | null;
  /** When it came back (epoch ms). */
  at: number;
  /** When it had sold out (epoch ms), null when that was before the history began. */
  soldOutAt: number | null;
  /** How long it was out, null when unknown. */
  outForMs: number | null;
  /** Quantity right after it came back. */
  quantity: number;
  /** Its level now. */
  levelNow: Level | null;
}

/** Net movement of a product in a period. */
export interface Outflow {
  eshopId: number;
  code: string;
  name: string | null;
  /** Units that left (positive number). */
  outflow: number;
  /** Units that arrived. */
  inflow: number;
  movements: number;
  quantityNow: number | null;
}

/** One row of the level history as the digests read it. */
export interface LevelChangeView {
  eshopId: number;
  code: string;
  fromLevel: Level | null;
  toLevel: Level;
  quantity: number;
  at: number;
  cause: string;
}

/** A period [from, to) in epoch ms, optionally of one e-shop. */
export interface StockPeriod {
  from: number;
  to: number;
  eshopId?: number;
}

/**
 * Read side of the stock state (implementation: src/store/sqlite/stock-read-store.ts): the
 * `GET /api/products` listing and what digests and forecasts need. Times in results are ISO
 * strings for the API, epoch ms where a caller computes with them.
 */
export interface StockReadStore {
  /** Products for `GET /api/products?level=`, ordered by e-shop and code (limit 1..100,000, default 1000). */
  listProducts(query?: ProductQuery): ProductView[];
  getProduct(eshopId: number, code: string): ProductView | null;
  /** How many products are at each level (dashboard, metrics). */
  countByLevel(eshopId?: number): Record<Level, number>;
  /** Sold out now, longest first. */
  soldOutNow(eshopId?: number): LevelNow[];
  /** Low (at or below minStockSupply, above 0) now, longest first. */
  lowNow(eshopId?: number): LevelNow[];
  /** Products whose level left soldOut in the period, with how long they had been out, in order. */
  backInStock(period: StockPeriod): BackInStock[];
  /** Products with the biggest outflow (sum of negative movements) in the period, biggest first (default limit 10). */
  biggestOutflow(period: StockPeriod & { limit?: number }): Outflow[];
  /**
   * Outflow of one product per day (UTC days, epoch ms of the day start) in [from, to): the input
   * for a run-out forecast (quantity ÷ average daily outflow).
   */
  dailyOutflow(q: { eshopId: number; code: string; from: number; to: number }): { day: number; outflow: number }[];
  /** Level changes in the period, oldest first (digest "what changed" sections). */
  levelChanges(period: StockPeriod): LevelChangeView[];
  /** The e-shops that stored events or stock products name, each once. */
  knownEshops(): number[];
}
