/**
 * Terms shared by the stock worker (which produces them) and the rules engine (which consumes them).
 * Quantities are plain numbers rounded to Shoptet's 3 decimals; compare them with `toMilli`, never
 * with float equality.
 */
export type Level = "soldOut" | "low" | "ok";

export interface ProductSnapshot {
  eshopId: number;
  /** Product or variant code (may contain "/"). */
  code: string;
  name: string | null;
  /** Total across all warehouses. */
  quantity: number;
  /** Shoptet's per-product minimum; null when not set. */
  minStockSupply: number | null;
  level: Level;
  /** Amount per warehouse id (stock id as a string). */
  perStock: Readonly<Record<string, number>>;
  /**
   * True when the quantity was not read from Shoptet but inferred from a beta stock event (no API
   * token configured): the level is right, the quantity only a bound (0 for soldOut, the minimum
   * for low, at least 1 for inStock). Quantity-threshold rules should not rely on it. Absent = read.
   */
  estimated?: boolean;
}

/** StockChange is the typed "stock changed" signal: one product, before and after. */
export interface StockChange {
  eshopId: number;
  code: string;
  /** null when the product was not known before. */
  previous: ProductSnapshot | null;
  current: ProductSnapshot;
  /** What caused it: the event type and id, when one did. */
  cause: { event: string; eventId: number | null };
  /** Epoch ms when the change was applied. */
  at: number;
}

/** Integer thousandths: exact comparison for Shoptet's 3-decimal amounts. */
export function toMilli(value: number): number {
  return Math.round(value * 1000);
}

/** Level of a product: soldOut at or below 0, low at or below its minimum, ok otherwise. */
export function levelOf(quantity: number, minStockSupply: number | null): Level {
  const q = toMilli(quantity);
  if (q <= 0) return "soldOut";
  if (minStockSupply !== null && q <= toMilli(minStockSupply)) return "low";
  return "ok";
}
