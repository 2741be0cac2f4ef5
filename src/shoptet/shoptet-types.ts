/**
 * Typed results of the Shoptet API calls stockwatch makes. Amounts are integer thousandths
 * ("milli", see amount.ts) and datetimes epoch ms, converted once at the edge.
 */

export interface Paginator {
  totalCount: number;
  page: number;
  pageCount: number;
  itemsOnPage: number;
  itemsPerPage: number;
}

export interface StockInfo {
  id: number;
  title: string;
}

export interface StockList {
  stocks: StockInfo[];
  defaultStockId: number | null;
}

/** One row of a warehouse's movement log (`GET /api/stocks/{id}/movements`). */
export interface Movement {
  /** Incremental id of the log row: the cursor and the idempotency key. */
  id: number;
  /** Variant code (may contain "/"). */
  productCode: string;
  /** Quantity in this warehouse after the change. */
  actualAmountMilli: number | null;
  amountChangeMilli: number | null;
  /** Total across all warehouses after the change (`include=sumAmount`). */
  sumAmountMilli: number | null;
  changedBy: string | null;
  changeTime: number | null;
  productGuid: string | null;
}

export interface MovementPage {
  movements: Movement[];
  paginator: Paginator | null;
}

export interface LastMovement {
  lastId: number;
  lastChangeTime: number | null;
}

/** Current quantity of one variant in one warehouse (`GET /api/stocks/{id}/supplies`). */
export interface Supply {
  productGuid: string | null;
  code: string;
  amountMilli: number | null;
  claimMilli: number | null;
  changeTime: number | null;
}

export interface SupplyPage {
  supplies: Supply[];
  paginator: Paginator | null;
}

export interface PerStockAmount {
  stockId: number;
  amountMilli: number | null;
  /** Shoptet's `lastAmountUpdate`. */
  changedAt: number | null;
}

export interface VariantDetail {
  code: string;
  /** The variant's label ("Color: Red"), null for products without variants. */
  name: string | null;
  /** `variants[].stock`: quantity across warehouses. */
  stockMilli: number | null;
  minStockSupplyMilli: number | null;
  /** Present with `include=perStockAmounts`. */
  perStock: PerStockAmount[] | null;
}

/** Product detail (`GET /api/products/{guid}` or `/api/products/code/{code}`). */
export interface ProductDetail {
  guid: string;
  name: string | null;
  variants: VariantDetail[];
}

export interface ProductListItem {
  guid: string;
  name: string | null;
}

/** Whether Shoptet adds the entity to the notification (`"full"`), or not (null). */
export type SendPayload = "full" | null;

/** A webhook registration of this installation (`GET /api/webhooks`, schema `webhook`). */
export interface Webhook {
  id: number;
  event: string;
  url: string;
  /** epoch ms, null when Shoptet has none. */
  created: number | null;
  updated: number | null;
  sendPayload: SendPayload;
}

export interface WebhookPage {
  webhooks: Webhook[];
  paginator: Paginator | null;
}

/** One item of `POST /api/webhooks` (up to 50 per call). */
export interface NewWebhook {
  event: string;
  url: string;
  sendPayload?: SendPayload;
}
