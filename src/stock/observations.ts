import type { Movement, ProductDetail, VariantDetail } from "../shoptet/shoptet-types.js";
import { isNotOlder, sumPerStock, type ProductState } from "./stock-state.js";
import type { Level } from "./stock-types.js";

/**
 * Pure updates of a ProductState from the things Shoptet tells us. Each keeps absolute values
 * (amount after the change, total after the change) so replaying one is harmless, and lets an
 * observation older than the stored one lose, because reads of different warehouses and product
 * checks finish in any order.
 */

/** A movement of warehouse `stockId` (with `sumAmount`): sets that warehouse's amount and the total. */
export function applyMovement(s: ProductState, stockId: number, m: Movement): void {
  const at = m.changeTime;
  const current = s.perStock.get(stockId);
  if (m.actualAmountMilli !== null) {
    if (!current || isNotOlder(at, current.changedAt)) {
      s.perStock.set(stockId, { amountMilli: m.actualAmountMilli, changedAt: at ?? current?.changedAt ?? null });
    }
  } else if (m.amountChangeMilli !== null) {
    s.perStock.set(stockId, {
      amountMilli: (current?.amountMilli ?? 0) + m.amountChangeMilli,
      changedAt: at ?? current?.changedAt ?? null,
    });
  }
  if (m.sumAmountMilli !== null) {
    // Same second as the total we have, from another warehouse read in another order: the
    // movement with the higher id is the later one (ids grow across the e-shop's whole log).
    const earlierInSameSecond = at !== null && at === s.quantityTime && s.quantityMovementId !== null && m.id < s.quantityMovementId;
    if (isNotOlder(at, s.quantityTime) && !earlierInSameSecond) {
      s.quantityMilli = m.sumAmountMilli;
      if (at !== null) s.quantityTime = at;
      s.quantityMovementId = m.id;
    }
  } else if (m.amountChangeMilli !== null) {
    s.quantityMilli += m.amountChangeMilli;
  }
  if (m.productGuid) s.guid = m.productGuid;
  s.estimated = false;
}

/** The display name of a variant: the product name, plus the variant label when it has one. */
export function variantName(product: ProductDetail, variant: VariantDetail): string | null {
  if (product.name === null) return variant.name;
  return variant.name ? `${product.name} (${variant.name})` : product.name;
}

/**
 * Product detail of the variant. Always refreshes name and minStockSupply; with
 * `amounts`, also the per-warehouse amounts (`perStockAmounts`) and the total.
 */
export function applyVariantDetail(
  s: ProductState,
  product: ProductDetail,
  variant: VariantDetail,
  now: number,
  amounts: boolean,
): void {
  s.guid = product.guid;
  s.name = variantName(product, variant);
  s.minMilli = variant.minStockSupplyMilli;
  s.minCheckedAt = now;
  if (!amounts) return;
  if (variant.perStock) {
    const listed = new Set<number>();
    for (const p of variant.perStock) {
      if (p.amountMilli === null) continue;
      listed.add(p.stockId);
      const current = s.perStock.get(p.stockId);
      if (!current || isNotOlder(p.changedAt, current.changedAt)) {
        s.perStock.set(p.stockId, { amountMilli: p.amountMilli, changedAt: p.changedAt });
      }
    }
    for (const id of [...s.perStock.keys()]) if (!listed.has(id)) s.perStock.delete(id);
    s.quantityMilli = sumPerStock(s);
    s.quantityMovementId = null;
    const times = variant.perStock.map((p) => p.changedAt).filter((t): t is number => t !== null);
    if (times.length) s.quantityTime = Math.max(s.quantityTime ?? 0, ...times);
  } else if (variant.stockMilli !== null) {
    s.quantityMilli = variant.stockMilli;
    s.quantityMovementId = null;
  }
  s.estimated = false;
}

/** A row of a warehouse's supplies (sync): that warehouse's amount; the caller re-sums the total. */
export function applySupply(s: ProductState, stockId: number, amountMilli: number, changeTime: number | null, guid: string | null): void {
  const current = s.perStock.get(stockId);
  if (!current || isNotOlder(changeTime, current.changedAt)) {
    s.perStock.set(stockId, { amountMilli, changedAt: changeTime ?? current?.changedAt ?? null });
  }
  if (guid) s.guid = guid;
}

/** After all supplies of a product are in: the total is the sum over warehouses. */
export function settleSupplies(s: ProductState): void {
  s.quantityMilli = sumPerStock(s);
  s.quantityMovementId = null;
  const times = [...s.perStock.values()].map((a) => a.changedAt).filter((t): t is number => t !== null);
  if (times.length) s.quantityTime = Math.max(s.quantityTime ?? 0, ...times);
  s.estimated = false;
}

export const BETA_STOCK_EVENTS = ["stock:soldOut", "stock:inStock", "stock:minStockSupplyReached"] as const;
export type BetaStockEvent = (typeof BETA_STOCK_EVENTS)[number];

export function isBetaStockEvent(event: string): event is BetaStockEvent {
  return (BETA_STOCK_EVENTS as readonly string[]).includes(event);
}

/**
 * Without an API token the beta event is all we know. Returns the level it implies and sets an
 * estimated quantity consistent with it: soldOut → at most 0 (soldOut also means below the
 * minimum); minStockSupplyReached → low, the known quantity if it fits, else the minimum;
 * inStock → the known quantity if positive, else 1 (at least one unit).
 */
export function applyTrustedBetaEvent(s: ProductState, event: BetaStockEvent, eventMs: number | null): Level {
  s.levelEventMs = eventMs;
  const q = s.quantityMilli;
  let level: Level;
  switch (event) {
    case "stock:soldOut":
      s.quantityMilli = Math.min(q, 0);
      level = "soldOut";
      break;
    case "stock:minStockSupplyReached":
      if (!(q > 0 && (s.minMilli === null || q <= s.minMilli))) s.quantityMilli = s.minMilli !== null && s.minMilli > 0 ? s.minMilli : 1000;
      level = "low";
      break;
    case "stock:inStock": {
      if (q <= 0) s.quantityMilli = 1000;
      level = s.minMilli !== null && s.quantityMilli <= s.minMilli ? "low" : "ok";
      break;
    }
  }
  s.estimated = true;
  return level;
}
