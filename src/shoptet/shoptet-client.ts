import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { silentLogger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import { bucketPauseMs, parseBucketFilling, parseRetryAfter } from "./rate-limit-headers.js";
import { ShoptetApiError, errorForResponse } from "./shoptet-error.js";
import {
  envelope,
  errorItems,
  parseEshopId,
  parseLastMovement,
  parseMovements,
  parseProduct,
  parseProductList,
  parseSignatureKey,
  parseStocks,
  parseSupplies,
  parseWebhooks,
  type Envelope,
} from "./shoptet-parse.js";
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
import { TokenGate, realSleep, type Sleep } from "./token-gate.js";
import { notificationQueryParams, parseNotifications, type NotificationPage, type NotificationQuery } from "./webhook-notifications.js";

/** The Shoptet calls the stock module makes; ShoptetClient implements it, tests may fake it. */
export interface ShoptetApi {
  hasToken(eshopId: number): boolean;
  eshopInfo(eshopId: number): Promise<{ eshopId: number }>;
  listStocks(eshopId: number): Promise<StockList>;
  lastMovement(eshopId: number, stockId: number): Promise<LastMovement | null>;
  movements(eshopId: number, stockId: number, query: MovementQuery): Promise<MovementPage>;
  supplies(eshopId: number, stockId: number, query: SupplyQuery): Promise<SupplyPage>;
  /** null when Shoptet says the product does not exist (404). */
  productByGuid(eshopId: number, guid: string): Promise<ProductDetail | null>;
  /** Product detail by product or variant code; null when unknown. Codes may contain "/". */
  productByCode(eshopId: number, code: string): Promise<ProductDetail | null>;
}

/**
 * The webhook registration calls (`/api/webhooks`): what `stockwatch webhooks` needs. Separate
 * from ShoptetApi so the stock module's fakes need not implement them.
 */
export interface WebhookApi {
  /** Every webhook of this installation (all pages). */
  listWebhooks(eshopId: number): Promise<Webhook[]>;
  /** Registers 1–50 webhooks in one call (201); 409/422 fail with Shoptet's errorCode and message. */
  createWebhooks(eshopId: number, list: readonly NewWebhook[]): Promise<Webhook[]>;
  /** Changes a webhook's URL (the event cannot change). */
  updateWebhook(eshopId: number, id: number, patch: { url?: string; sendPayload?: SendPayload }): Promise<void>;
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
  /** First retry delay; doubles per attempt, jittered, capped at retryMaxDelayMs. Default 500 ms. */
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

/** Counters for metrics and benchmarks. */
export interface ShoptetClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  failures: number;
}

const ITEMS_MAX = 1000;
/** Shoptet's limits for webhook registration: 500 per listed page, 50 per POST. */
export const WEBHOOKS_PER_PAGE = 500;
export const WEBHOOKS_PER_CREATE = 50;
const MAX_WEBHOOK_PAGES = 100;

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** One API call: how to send it and how to read its `data`. */
interface CallSpec<T> {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON request body (writes). */
  body?: unknown;
  parse: (data: unknown) => T;
  /** The call may answer `data: null` (PATCH, DELETE). */
  nullData?: boolean;
  /**
   * Which retryable failures are repeated inside the call. "all" for reads and idempotent writes;
   * "unapplied" for POSTs, whose repeat after a timeout or 500 might apply them twice: only the
   * answers that say the request was not processed (423 locked, 429, 503 maintenance).
   */
  retry?: "all" | "unapplied";
}

const UNAPPLIED = new Set([423, 429, 503]);
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
  readonly stats: ShoptetClientStats = { requests: 0, retries: 0, rateLimited: 0, failures: 0 };
  private readonly baseUrl: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly gates = new Map<string, TokenGate>();
  private readonly warnedDeprecated = new Set<string>();
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly maxInFlight: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly maxRetryAfterWaitMs: number;
  private readonly bucketSlowdownAt: number;

  constructor(private readonly options: ShoptetClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger();
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.maxInFlight = Math.max(1, options.maxInFlightPerToken ?? 2);
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 8_000;
    this.maxRetryAfterWaitMs = options.maxRetryAfterWaitMs ?? 60_000;
    this.bucketSlowdownAt = options.bucketSlowdownAt ?? 0.75;
  }

  hasToken(eshopId: number): boolean {
    return Boolean(this.options.tokenFor(eshopId));
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

  private gateFor(token: string): TokenGate {
    let gate = this.gates.get(token);
    if (!gate) {
      gate = new TokenGate(this.maxInFlight, this.options.clock, this.sleep);
      this.gates.set(token, gate);
    }
    return gate;
  }

  private backoffMs(attempt: number): number {
    const ceiling = Math.min(this.retryMaxDelayMs, this.retryBaseMs * 2 ** (attempt - 1));
    // Equal jitter: at least half the step, so parallel callers spread out but still back off.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
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

  /** One call with retries (see CallSpec.retry). */
  private async call<T>(eshopId: number, spec: CallSpec<T>): Promise<T> {
    const { path } = spec;
    const query = spec.query ?? {};
    const token = this.options.tokenFor(eshopId);
    if (!token) {
      throw new ShoptetApiError({
        message: `no Shoptet API token for e-shop ${eshopId}: set SHOPTET_API_TOKEN_${eshopId} or SHOPTET_API_TOKEN`,
        status: 0,
        code: "no-token",
        retryable: false,
      });
    }
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const url = `${this.baseUrl}${path}${qs ? `?${qs}` : ""}`;
    const gate = this.gateFor(token);

    let lastError: ShoptetApiError | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) this.stats.retries++;
      const error = await this.attempt(eshopId, spec, url, token, gate);
      if (!(error instanceof ShoptetApiError)) return error.value;
      lastError = error;
      if (!error.retryable || attempt === this.maxAttempts) break;
      if (spec.retry === "unapplied" && !UNAPPLIED.has(error.status)) break;
      let wait = this.backoffMs(attempt);
      if (error.status === 429) {
        this.stats.rateLimited++;
        const asked = error.retryAfterMs;
        if (asked !== null) {
          gate.pauseUntil(this.options.clock.now() + asked);
          if (asked > this.maxRetryAfterWaitMs) break; // the job queue waits instead of this call
          wait = 0; // the gate holds us until the requested time
        }
      }
      this.logger.debug({ eshopId, method: spec.method, path, status: error.status, code: error.code, attempt, waitMs: wait }, "retrying Shoptet call");
      if (wait > 0) await this.sleep(wait);
    }
    this.stats.failures++;
    throw lastError!;
  }

  /** One HTTP exchange: the parsed value, or the classified error (never throws). */
  private async attempt<T>(
    eshopId: number,
    spec: CallSpec<T>,
    url: string,
    token: string,
    gate: TokenGate,
  ): Promise<{ value: T } | ShoptetApiError> {
    const { method, path, parse } = spec;
    await gate.acquire();
    let status = 0;
    let headers: Headers | undefined;
    let text = "";
    try {
      this.stats.requests++;
      const res = await this.fetchFn(url, {
        method,
        headers: { "Shoptet-Private-API-Token": token, "Content-Type": "application/json", Accept: "application/json" },
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      headers = res.headers;
      text = await res.text();
    } catch (cause) {
      const timedOut = (cause as Error)?.name === "TimeoutError" || (cause as Error)?.name === "AbortError";
      const reason = redactSecrets(String((cause as Error)?.message ?? cause), [token]);
      return new ShoptetApiError({
        message: timedOut
          ? `Shoptet API did not answer ${method} ${path} for e-shop ${eshopId} within ${this.timeoutMs} ms`
          : `cannot reach the Shoptet API at ${this.baseUrl} (${method} ${path}: ${reason}): check SHOPTET_API_URL and the network`,
        status: 0,
        code: timedOut ? "timeout" : "network",
        retryable: true,
      });
    } finally {
      gate.release();
    }
    this.observeHeaders(path, headers!, gate);

    let env: Envelope | null = null;
    try {
      env = envelope.parse(JSON.parse(text));
    } catch {
      env = null;
    }
    const requestId = env?.metadata?.requestId ?? headers!.get("x-request-id");
    if (status < 200 || status >= 300) {
      return errorForResponse({
        status,
        method,
        path,
        eshopId,
        errors: errorItems(env),
        requestId,
        retryAfterMs: parseRetryAfter(headers!.get("retry-after"), this.options.clock.now()),
      });
    }
    if (env === null || env.data === undefined || (env.data === null && !spec.nullData)) {
      const items = errorItems(env);
      return new ShoptetApiError({
        message: `Shoptet API answered ${status} on ${method} ${path} for e-shop ${eshopId} without data${
          items[0] ? ` (${items[0].errorCode}: ${items[0].message})` : " (not a Shoptet JSON envelope)"
        }`,
        status,
        code: items[0]?.errorCode ?? "invalid-response",
        retryable: env === null,
        requestId,
      });
    }
    try {
      return { value: parse(env.data) };
    } catch (cause) {
      return new ShoptetApiError({
        message: `Shoptet API answered ${method} ${path} for e-shop ${eshopId} with an unexpected shape: ${(cause as Error).message.slice(0, 300)}`,
        status,
        code: "invalid-response",
        retryable: false,
        requestId,
        cause,
      });
    }
  }

  private observeHeaders(path: string, headers: Headers, gate: TokenGate): void {
    const filling = parseBucketFilling(headers.get("x-ratelimit-bucket-filling"));
    if (filling) {
      const pause = bucketPauseMs(filling, this.bucketSlowdownAt);
      if (pause > 0) gate.pauseUntil(this.options.clock.now() + pause);
    }
    const deprecated = headers.get("x-shoptet-deprecated") ?? headers.get("sunset");
    const template = path.replace(/\/\d+(?=\/|$)/g, "/{id}");
    if (deprecated && !this.warnedDeprecated.has(template)) {
      this.warnedDeprecated.add(template);
      this.logger.warn({ path: template, deprecated }, "Shoptet marks this endpoint as deprecated; stockwatch needs an update");
    }
  }
}
