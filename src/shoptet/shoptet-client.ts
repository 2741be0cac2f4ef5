import { SHOPTET_CALL_RETRY } from "../retry/retry-policy.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { silentLogger } from "../shared/logger.js";
import type { MovementQuery, ShoptetApi, SupplyQuery, WebhookApi } from "./shoptet-api.js";
import { ShoptetApiError } from "./shoptet-error.js";
import {
  parseEshopId,
  parseLastMovement,
  parseMovements,
  parseProduct,
  parseProductList,
  parseSignatureKey,
  parseStocks,
  parseSupplies,
  parseWebhooks,
} from "./shoptet-parse.js";
import { ShoptetRequester, type CallSpec, type ShoptetClientStats } from "./shoptet-request.js";
import { formatShoptetTime } from "./shoptet-time.js";
import type {
  LastMovement,
  MovementPage,
  NewWebhook,
  ProductDetail,
  SendPayload,
  StockList,
  SupplyPage,
  Webhook,
  WebhookPage,
} from "./shoptet-types.js";
import { realSleep, type Sleep } from "./token-gate.js";
import { notificationQueryParams, parseNotifications, type NotificationPage, type NotificationQuery } from "./webhook-notifications.js";

export type { MovementQuery, ShoptetApi, ShoptetClientStats, SupplyQuery, WebhookApi };

export interface ShoptetClientOptions {
  /** SHOPTET_API_URL, e.g. https://api.myshoptet.com */
  baseUrl: string;
  /** The private API token for an e-shop, undefined when none is configured. */
  tokenFor: (eshopId: number) => string | undefined;
  clock: Clock;
  fetch?: typeof globalThis.fetch;
  sleep?: Sleep;
  random?: () => number;
  logger?: Logger;
  /** Per attempt, including reading the body. Default 20 s. */
  timeoutMs?: number;
  /** Attempts per call for retryable failures. Default 4. */
  maxAttempts?: number;
  /** Concurrent requests per token; Shoptet allows 3. Default 2. */
  maxInFlightPerToken?: number;
  /** First retry delay; doubles per attempt, equal jitter, capped at retryMaxDelayMs (SHOPTET_CALL_RETRY: 500 ms, 8 s, 4 attempts). */
  retryBaseMs?: number;
  retryMaxDelayMs?: number;
  /**
   * A `Retry-After` longer than this is not slept through inside the call: the call fails as
   * retryable with `retryAfterMs`, and the job queue reschedules the job. Default 60 s.
   */
  maxRetryAfterWaitMs?: number;
  /** Slow down once the leaky bucket is fuller than this fraction. Default 0.75. */
  bucketSlowdownAt?: number;
}

const ITEMS_MAX = 1000;
/** Shoptet's limits for webhook registration: 500 per listed page, 50 per POST. */
export const WEBHOOKS_PER_PAGE = 500;
export const WEBHOOKS_PER_CREATE = 50;
const MAX_WEBHOOK_PAGES = 100;

const PRODUCT_INCLUDE = "perStockAmounts,variantParameters";

/**
 * ShoptetClient calls the Shoptet REST API with a per-e-shop private token. Every call has a
 * timeout, parses the `{data, errors, metadata}` envelope, and fails with a ShoptetApiError.
 * Retries 423/429/5xx/network errors with jittered backoff (bounded), never 400/401/403/404/409/422;
 * honours `Retry-After` (HTTP date or seconds) and slows down when `X-RateLimit-Bucket-Filling` is
 * high. Writes (webhook registration) go through the same path; a POST is repeated only when
 * Shoptet said it did not process it.
 */
export class ShoptetClient implements ShoptetApi, WebhookApi {
  private readonly requester: ShoptetRequester;

  constructor(options: ShoptetClientOptions) {
    this.requester = new ShoptetRequester({
      baseUrl: options.baseUrl.replace(/\/+$/, ""),
      tokenFor: options.tokenFor,
      clock: options.clock,
      fetch: options.fetch ?? globalThis.fetch,
      sleep: options.sleep ?? realSleep,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger(),
      timeoutMs: options.timeoutMs ?? 20_000,
      policy: {
        ...SHOPTET_CALL_RETRY,
        baseMs: options.retryBaseMs ?? SHOPTET_CALL_RETRY.baseMs,
        maxDelayMs: options.retryMaxDelayMs ?? SHOPTET_CALL_RETRY.maxDelayMs,
        maxAttempts: Math.max(1, options.maxAttempts ?? SHOPTET_CALL_RETRY.maxAttempts),
      },
      maxInFlightPerToken: Math.max(1, options.maxInFlightPerToken ?? 2),
      maxRetryAfterWaitMs: options.maxRetryAfterWaitMs ?? 60_000,
      bucketSlowdownAt: options.bucketSlowdownAt ?? 0.75,
    });
  }

  get stats(): ShoptetClientStats {
    return this.requester.stats;
  }

  hasToken(eshopId: number): boolean {
    return this.requester.hasToken(eshopId);
  }

  async eshopInfo(eshopId: number): Promise<{ eshopId: number }> {
    return { eshopId: await this.get(eshopId, "/api/eshop", {}, parseEshopId) };
  }

  listStocks(eshopId: number): Promise<StockList> {
    return this.get(eshopId, "/api/stocks", {}, parseStocks);
  }

  lastMovement(eshopId: number, stockId: number): Promise<LastMovement | null> {
    return this.get(eshopId, `/api/stocks/${stockId}/movements/last`, {}, parseLastMovement);
  }

  movements(eshopId: number, stockId: number, query: MovementQuery): Promise<MovementPage> {
    return this.get(
      eshopId,
      `/api/stocks/${stockId}/movements`,
      {
        lastId: query.lastId,
        changeTimeFrom: query.changeTimeFrom === undefined ? undefined : formatShoptetTime(query.changeTimeFrom),
        include: "sumAmount,productGuid",
        itemsPerPage: Math.min(query.itemsPerPage ?? ITEMS_MAX, ITEMS_MAX),
        page: query.page,
      },
      parseMovements,
    );
  }

  supplies(eshopId: number, stockId: number, query: SupplyQuery): Promise<SupplyPage> {
    return this.get(
      eshopId,
      `/api/stocks/${stockId}/supplies`,
      {
        code: query.code,
        include: "changeTime",
        itemsPerPage: Math.min(query.itemsPerPage ?? ITEMS_MAX, ITEMS_MAX),
        page: query.page,
      },
      parseSupplies,
    );
  }

  async productByGuid(eshopId: number, guid: string): Promise<ProductDetail | null> {
    return this.orNullOn404(
      this.get(eshopId, `/api/products/${encodeURIComponent(guid)}`, { include: PRODUCT_INCLUDE }, parseProduct),
    );
  }

  /**
   * Codes with "/" (`26/BIL`) cannot safely go into the `/api/products/code/{code}` path (whether
   * `%2F` is decoded there is undocumented), so they are looked up with the `productCodes` filter
   * of the product list first, and then read by GUID. Other codes use the code endpoint directly.
   */
  async productByCode(eshopId: number, code: string): Promise<ProductDetail | null> {
    if (!code.includes("/")) {
      return this.orNullOn404(
        this.get(eshopId, `/api/products/code/${encodeURIComponent(code)}`, { include: PRODUCT_INCLUDE }, parseProduct),
      );
    }
    const guid = await this.findProductGuid(eshopId, code);
    return guid === null ? null : this.productByGuid(eshopId, guid);
  }

  /** GUID of the product that owns a product or variant code, via `GET /api/products?productCodes=`. */
  async findProductGuid(eshopId: number, code: string): Promise<string | null> {
    if (code.includes(",")) return null; // the filter is comma-separated; such a code cannot be asked for
    const list = await this.orNullOn404(this.get(eshopId, "/api/products", { productCodes: code }, parseProductList));
    return list?.products[0]?.guid ?? null;
  }

  // ---- webhook registration ------------------------------------------------------------------

  /** One page of this installation's webhooks. */
  webhooksPage(eshopId: number, page = 1, itemsPerPage = WEBHOOKS_PER_PAGE): Promise<WebhookPage> {
    return this.call(eshopId, {
      method: "GET",
      path: "/api/webhooks",
      query: { page, itemsPerPage: Math.min(itemsPerPage, WEBHOOKS_PER_PAGE) },
      parse: parseWebhooks,
    });
  }

  /**
   * Every webhook of this installation, reading page after page. A webhook that moves between
   * pages while we read (someone registers or deletes meanwhile) is listed once, by id.
   */
  async listWebhooks(eshopId: number): Promise<Webhook[]> {
    const byId = new Map<number, Webhook>();
    for (let page = 1; page <= MAX_WEBHOOK_PAGES; page++) {
      const result = await this.webhooksPage(eshopId, page);
      for (const w of result.webhooks) byId.set(w.id, w);
      const p = result.paginator;
      if (!p || result.webhooks.length === 0 || page >= p.pageCount) break;
    }
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  async createWebhooks(eshopId: number, list: readonly NewWebhook[]): Promise<Webhook[]> {
    if (list.length === 0 || list.length > WEBHOOKS_PER_CREATE) {
      throw new RangeError(`createWebhooks takes 1 to ${WEBHOOKS_PER_CREATE} webhooks per call, got ${list.length}`);
    }
    const data = list.map((w) => ({ event: w.event, url: w.url, ...(w.sendPayload === undefined ? {} : { sendPayload: w.sendPayload }) }));
    const result = await this.call(eshopId, { method: "POST", path: "/api/webhooks", body: { data }, parse: parseWebhooks, retry: "unapplied" });
    return result.webhooks;
  }

  async updateWebhook(eshopId: number, id: number, patch: { url?: string; sendPayload?: SendPayload }): Promise<void> {
    const data = { ...(patch.url === undefined ? {} : { url: patch.url }), ...(patch.sendPayload === undefined ? {} : { sendPayload: patch.sendPayload }) };
    if (Object.keys(data).length === 0) throw new RangeError("updateWebhook needs a url or sendPayload to change");
    await this.call(eshopId, { method: "PATCH", path: `/api/webhooks/${id}`, body: { data }, parse: () => undefined, nullData: true });
  }

  async deleteWebhook(eshopId: number, id: number): Promise<void> {
    await this.call(eshopId, { method: "DELETE", path: `/api/webhooks/${id}`, parse: () => undefined, nullData: true });
  }

  /** The new key is returned, never logged. */
  renewSignatureKey(eshopId: number): Promise<string> {
    return this.call(eshopId, { method: "POST", path: "/api/webhooks/renew-signature-key", parse: parseSignatureKey, retry: "unapplied" });
  }

  /** One page of Shoptet's 7-day webhook delivery log (see webhook-notifications.ts). */
  webhookNotifications(eshopId: number, query: NotificationQuery): Promise<NotificationPage> {
    return this.get(eshopId, "/api/webhooks/notifications", notificationQueryParams(query), parseNotifications);
  }

  private async orNullOn404<T>(promise: Promise<T>): Promise<T | null> {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof ShoptetApiError && error.status === 404) return null;
      throw error;
    }
  }

  /** One GET with retries; `parse` turns `data` into the typed result. */
  private get<T>(
    eshopId: number,
    path: string,
    query: Record<string, string | number | undefined>,
    parse: (data: unknown) => T,
  ): Promise<T> {
    return this.call(eshopId, { method: "GET", path, query, parse });
  }

  private call<T>(eshopId: number, spec: CallSpec<T>): Promise<T> {
    return this.requester.call(eshopId, spec);
  }
}
