import type { Movement } from "../shoptet/shoptet-types.js";
import type { LevelChangeRecord, ProductState } from "./stock-state.js";

/** How far the movements of one warehouse were read. */
export interface StockCursor {
  lastId: number;
  reads: number;
  lastReadAt: number | null;
}

/** A stored beta stock event (stock:soldOut, stock:inStock, stock:minStockSupplyReached). */
export interface BetaEventRow {
  id: number;
  event: string;
  eventCreatedMs: number | null;
}

/**
 * StockStore reads and writes the stock state (implementation: src/store/sqlite/stock-store.ts).
 * Writes are meant to run inside one transaction per unit of work (`transaction(fn)`), so cursor,
 * movements, state and history move together. Plain data in and out.
 */
export interface StockStore {
  /** Runs `fn` in one write transaction (timed: see write-transaction.ts). */
  transaction<T>(fn: () => T): T;
  getProduct(eshopId: number, code: string): ProductState | null;
  /** Many products at once (a page of movements touches up to 1000). Unknown codes are absent. */
  getProducts(eshopId: number, codes: readonly string[]): Map<string, ProductState>;
  /** For each known code: its GUID and when its details were last read (null: never). */
  detailState(eshopId: number, codes: readonly string[]): Map<string, { guid: string | null; checkedAt: number | null }>;
  /** Codes of the variants we know for a product GUID, in order. */
  codesOfGuid(eshopId: number, guid: string): string[];
  /** Writes a product's state; amounts are diffed against `previous` so only changed ones are written. */
  saveProduct(previous: ProductState | null, next: ProductState): void;
  /** Records a movement; false when this id was applied before (so the caller skips it). */
  insertMovement(eshopId: number, stockId: number, m: Movement, now: number): boolean;
  getCursor(eshopId: number, stockId: number): StockCursor | null;
  /** Moves the cursor forward (never back) and counts a read when `read` is set. */
  advanceCursor(eshopId: number, stockId: number, lastId: number, now: number, read: boolean): void;
  recordLevelChange(r: LevelChangeRecord): void;
  /** The newest beta stock event stored for a product code (by Shoptet's eventCreated). */
  newestBetaEvent(eshopId: number, code: string): BetaEventRow | null;
  /** When the first stored `stock:movement` webhook of a warehouse was created (Shoptet time) and received. */
  firstMovementWebhook(eshopId: number, stockId: number): { createdMs: number | null; receivedMs: number | null };
}
