import type * as T from "./shoptet-types.js";

/** The Shoptet calls the stock module makes; ShoptetClient implements it, tests may fake it. */
export interface ShoptetApi {
  hasToken(eshopId: number): boolean;
  eshopInfo(eshopId: number): Promise<{ eshopId: number }>;
  listStocks(eshopId: number): Promise<T.StockList>;
  lastMovement(eshopId: number, stockId: number): Promise<T.LastMovement | null>;
  movements(eshopId: number, stockId: number, query: MovementQuery): Promise<T.MovementPage>;
  supplies(eshopId: number, stockId: number, query: SupplyQuery): Promise<T.SupplyPage>;
  /** null when Shoptet says the product does not exist (404). */
  productByGuid(eshopId: number, guid: string): Promise<T.ProductDetail | null>;
  /** Product detail by product or variant code; null when unknown. Codes may contain "/". */
  productByCode(eshopId: number, code: string): Promise<T.ProductDetail | null>;
}

/**
 * The webhook registration calls (`/api/webhooks`): what `stockwatch webhooks` needs. Separate
 * from ShoptetApi so the stock module's fakes need not implement them.
 */
export interface WebhookApi {
  /** Every webhook of this installation (all pages). */
  listWebhooks(eshopId: number): Promise<T.Webhook[]>;
  /** Registers 1–50 webhooks in one call (201); 409/422 fail with Shoptet's errorCode and message. */
  createWebhooks(eshopId: number, list: readonly T.NewWebhook[]): Promise<T.Webhook[]>;
  /** Changes a webhook's URL (the event cannot change). */
  updateWebhook(eshopId: number, id: number, patch: { url?: string; sendPayload?: T.SendPayload }): Promise<void>;
  deleteWebhook(eshopId: number, id: number): Promise<void>;
  /** Generates a new signature key; from then on the old one no longer verifies. */
  renewSignatureKey(eshopId: number): Promise<string>;
}

export interface MovementQuery {
  /** Movements with an id above this one (the cursor). */
  lastId?: number;
  /** Only movements changed at or after this time (epoch ms); not a cursor. */
  changeTimeFrom?: number;
  page?: number;
  /** Up to 1000. */
  itemsPerPage?: number;
}

export interface SupplyQuery {
  page?: number;
  itemsPerPage?: number;
  code?: string;
}
