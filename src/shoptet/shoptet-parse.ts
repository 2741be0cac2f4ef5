import { z } from "zod";
import { parseAmountMilli } from "./amount.js";
import { parseShoptetTimeMs } from "./shoptet-time.js";
import type {
  LastMovement,
  MovementPage,
  Paginator,
  ProductDetail,
  ProductListItem,
  StockList,
  SupplyPage,
  VariantDetail,
  Webhook,
  WebhookPage,
} from "./shoptet-types.js";
import type { ShoptetErrorItem } from "./shoptet-error.js";

/**
 * Parsers from Shoptet's `{data, errors, metadata}` envelope into the typed results. They accept
 * what the spec allows and a little more (amounts as numbers, a product under `data.product`),
 * and reject shapes that would make stock state wrong (a movement without an id).
 */

const amount = z.union([z.string(), z.number()]).nullish();
const time = z.string().nullish();

export const envelope = z.looseObject({
  data: z.unknown().optional(),
  errors: z
    .array(
      z.looseObject({
        errorCode: z.string().catch("unknown"),
        message: z.string().catch(""),
        instance: z.unknown().optional(),
      }),
    )
    .nullish(),
  metadata: z.looseObject({ requestId: z.string().optional() }).nullish(),
});

export type Envelope = z.infer<typeof envelope>;

export function errorItems(env: Envelope | null): ShoptetErrorItem[] {
  return (env?.errors ?? []).map((e) => ({
    errorCode: e.errorCode,
    message: e.message,
    ...(typeof e.instance === "string" ? { instance: e.instance } : {}),
  }));
}

/** Shoptet's `data.paginator` of a list (absent on some answers). */
export const paginator = z
  .looseObject({
    totalCount: z.number(),
    page: z.number(),
    pageCount: z.number(),
    itemsOnPage: z.number(),
    itemsPerPage: z.number(),
  })
  .nullish();

export function toPaginator(p: z.infer<typeof paginator>): Paginator | null {
  return p ? { totalCount: p.totalCount, page: p.page, pageCount: p.pageCount, itemsOnPage: p.itemsOnPage, itemsPerPage: p.itemsPerPage } : null;
}

const stocksData = z.looseObject({
  stocks: z.array(z.looseObject({ id: z.number().int(), title: z.string().nullish() })),
  defaultStockId: z.number().int().nullish(),
});

export function parseStocks(data: unknown): StockList {
  const d = stocksData.parse(data);
  return { stocks: d.stocks.map((s) => ({ id: s.id, title: s.title ?? `stock ${s.id}` })), defaultStockId: d.defaultStockId ?? null };
}

const movementsData = z.looseObject({
  movements: z.array(
    z.looseObject({
      id: z.number().int(),
      productCode: z.string(),
      actualAmount: amount,
      amountChange: amount,
      sumAmount: amount,
      changedBy: z.string().nullish(),
      changeTime: time,
      productGuid: z.string().nullish(),
    }),
  ),
  paginator,
});

export function parseMovements(data: unknown): MovementPage {
  const d = movementsData.parse(data);
  return {
    movements: d.movements.map((m) => ({
      id: m.id,
      productCode: m.productCode,
      actualAmountMilli: parseAmountMilli(m.actualAmount),
      amountChangeMilli: parseAmountMilli(m.amountChange),
      sumAmountMilli: parseAmountMilli(m.sumAmount),
      changedBy: m.changedBy ?? null,
      changeTime: parseShoptetTimeMs(m.changeTime),
      productGuid: m.productGuid ?? null,
    })),
    paginator: toPaginator(d.paginator),
  };
}

const lastData = z.looseObject({ lastId: z.number().int().nullish(), lastChangeTime: time });

/** null when the warehouse has no movements yet. */
export function parseLastMovement(data: unknown): LastMovement | null {
  const d = lastData.parse(data ?? {});
  if (d.lastId === null || d.lastId === undefined) return null;
  return { lastId: d.lastId, lastChangeTime: parseShoptetTimeMs(d.lastChangeTime) };
}

const suppliesData = z.looseObject({
  supplies: z.array(
    z.looseObject({
      productGuid: z.string().nullish(),
      code: z.string(),
      amount,
      claim: amount,
      changeTime: time,
    }),
  ),
  paginator,
});

export function parseSupplies(data: unknown): SupplyPage {
  const d = suppliesData.parse(data);
  return {
    supplies: d.supplies.map((s) => ({
      productGuid: s.productGuid ?? null,
      code: s.code,
      amountMilli: parseAmountMilli(s.amount),
      claimMilli: parseAmountMilli(s.claim),
      changeTime: parseShoptetTimeMs(s.changeTime),
    })),
    paginator: toPaginator(d.paginator),
  };
}

const variant = z.looseObject({
  code: z.string(),
  name: z.string().nullish(),
  stock: amount,
  minStockSupply: amount,
  perStockAmounts: z
    .array(z.looseObject({ stockId: z.number().int(), amount, lastAmountUpdate: time }))
    .nullish(),
});

const product = z.looseObject({
  guid: z.string(),
  name: z.string().nullish(),
  variants: z.array(variant).nullish(),
});

/** The spec puts the product straight under `data`; the payload example nests it in `data.product`. */
export function parseProduct(data: unknown): ProductDetail {
  const inner =
    data && typeof data === "object" && "product" in data && !("guid" in data) ? (data as { product: unknown }).product : data;
  const p = product.parse(inner);
  return {
    guid: p.guid,
    name: p.name ?? null,
    variants: (p.variants ?? []).map(
      (v): VariantDetail => ({
        code: v.code,
        name: v.name ?? null,
        stockMilli: parseAmountMilli(v.stock),
        minStockSupplyMilli: parseAmountMilli(v.minStockSupply),
        perStock: v.perStockAmounts
          ? v.perStockAmounts.map((s) => ({
              stockId: s.stockId,
              amountMilli: parseAmountMilli(s.amount),
              changedAt: parseShoptetTimeMs(s.lastAmountUpdate),
            }))
          : null,
      }),
    ),
  };
}

const productsData = z.looseObject({
  products: z.array(z.looseObject({ guid: z.string(), name: z.string().nullish() })),
  paginator,
});

export function parseProductList(data: unknown): { products: ProductListItem[]; paginator: Paginator | null } {
  const d = productsData.parse(data);
  return { products: d.products.map((p) => ({ guid: p.guid, name: p.name ?? null })), paginator: toPaginator(d.paginator) };
}

const eshopData = z.looseObject({ contactInformation: z.looseObject({ eshopId: z.number().int() }) });

export function parseEshopId(data: unknown): number {
  return eshopData.parse(data).contactInformation.eshopId;
}

const webhook = z.looseObject({
  id: z.number().int(),
  event: z.string(),
  url: z.string(),
  created: time,
  updated: time,
  sendPayload: z.enum(["full"]).nullish().catch(null),
});

function toWebhook(w: z.infer<typeof webhook>): Webhook {
  return {
    id: w.id,
    event: w.event,
    url: w.url,
    created: parseShoptetTimeMs(w.created),
    updated: parseShoptetTimeMs(w.updated),
    sendPayload: w.sendPayload ?? null,
  };
}

const webhooksData = z.looseObject({ webhooks: z.array(webhook), paginator });

/** `GET /api/webhooks` (with paginator) and `POST /api/webhooks` (201, without). */
export function parseWebhooks(data: unknown): WebhookPage {
  const d = webhooksData.parse(data);
  return { webhooks: d.webhooks.map(toWebhook), paginator: toPaginator(d.paginator) };
}

const signatureKeyData = z.looseObject({ signatureKey: z.string().min(1) });

/** `POST /api/webhooks/renew-signature-key`. */
export function parseSignatureKey(data: unknown): string {
  return signatureKeyData.parse(data).signatureKey;
}
