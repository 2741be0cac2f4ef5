import type { StockStore } from "./stock-store.js";
import { settle, type Cause, type ProductState } from "./stock-state.js";
import type { Level, StockChange } from "./stock-types.js";

/** One product update: the stored state before (null if new) and the updated copy. */
export interface ProductUpdate {
  previous: ProductState | null;
  next: ProductState;
  /** Level to take instead of deriving it from the quantity (trusted beta events). */
  explicitLevel?: Level;
}

/** Receives the typed "stock changed" signal; called inside the transaction that applies it. */
export type OnStockChanges = (changes: StockChange[]) => void;

/**
 * StockWriter finishes product updates: derives levels, saves state, records level history and
 * hands the changes to `onStockChanges` — all inside the caller's transaction, so the rules
 * engine's alerts and outbox rows commit (or roll back) together with the state.
 */
export class StockWriter {
  constructor(
    private readonly repo: StockStore,
    private readonly onStockChanges: OnStockChanges,
  ) {}

  /**
   * Must run inside a transaction. `emit: false` (sync) saves without signalling; its level history
   * then records only real changes of known products, not first sightings.
   */
  commit(updates: readonly ProductUpdate[], cause: Cause, now: number, emit: boolean): StockChange[] {
    const changes: StockChange[] = [];
    for (const u of updates) {
      const settled = settle(u.previous, u.next, now, cause, u.explicitLevel);
      this.repo.saveProduct(u.previous, settled.state);
      if (settled.levelChange && (emit || u.previous !== null)) this.repo.recordLevelChange(settled.levelChange);
      if (settled.change) changes.push(settled.change);
    }
    if (emit && changes.length > 0) this.onStockChanges(changes);
    return changes;
  }
}
