import type { ShoptetApi } from "../shoptet/shoptet-client.js";
import type { ProductDetail } from "../shoptet/shoptet-types.js";
import { applyVariantDetail } from "./observations.js";
import type { StockStore } from "./stock-store.js";
import { blankState, cloneState, type ProductState } from "./stock-state.js";
import type { ProductUpdate } from "./stock-writer.js";

/**
 * Reads the product that owns a code: by its GUID when we know it (one call, no question about
 * "/" in paths), else by code (the client handles codes with "/").
 */
export async function fetchProductForCode(
  client: ShoptetApi,
  repo: StockStore,
  eshopId: number,
  code: string,
  guidHint: string | null = null,
): Promise<ProductDetail | null> {
  const guid = guidHint ?? repo.getProduct(eshopId, code)?.guid ?? null;
  if (guid) {
    const byGuid = await client.productByGuid(eshopId, guid);
    // A GUID that no longer owns the code (variant moved or renamed) falls back to the code.
    if (byGuid?.variants.some((v) => v.code === code)) return byGuid;
  }
  return client.productByCode(eshopId, code);
}

/**
 * Updates for every variant of a product from its detail (`amounts`: also quantities). Must run
 * inside the write transaction so `previous` is current.
 */
export function detailUpdates(repo: StockStore, eshopId: number, product: ProductDetail, now: number, amounts: boolean): ProductUpdate[] {
  return product.variants.map((variant) => {
    const previous = repo.getProduct(eshopId, variant.code);
    const next: ProductState = previous ? cloneState(previous) : blankState(eshopId, variant.code, now);
    applyVariantDetail(next, product, variant, now, amounts);
    return { previous, next };
  });
}
