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
  parseStocks,
  parseSupplies,
  type Envelope,
} from "./shoptet-parse.js";
import { formatShoptetTime } from "./shoptet-time.js";
import type { LastMovement, MovementPage, ProductDetail, StockList, SupplyPage } from "./shoptet-types.js";
import { TokenGate, realSleep, type Sleep } from "./token-gate.js";

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
const PRODUCT_INCLUDE = "perStockAmounts,variantParameters";

/**
 * ShoptetClient calls the Shoptet REST API with a per-e-shop private token. Every call has a
 * timeout, parses the `{data, errors, metadata}` envelope, and fails with a ShoptetApiError.
 * Retries 423/429/5xx/network errors with jittered backoff (bounded), never 400/404/422; honours
 * `Retry-After` (HTTP date or seconds) and slows down when `X-RateLimit-Bucket-Filling` is high.
 */
export class ShoptetClient implements ShoptetApi {
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
  private async get<T>(
    eshopId: number,
    path: string,
    query: Record<string, string | number | undefined>,
    parse: (data: unknown) => T,
  ): Promise<T> {
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
      const error = await this.attempt(eshopId, path, url, token, gate, parse);
      if (!(error instanceof ShoptetApiError)) return error.value;
      lastError = error;
      if (!error.retryable || attempt === this.maxAttempts) break;
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
      this.logger.debug({ eshopId, path, status: error.status, code: error.code, attempt, waitMs: wait }, "retrying Shoptet call");
      if (wait > 0) await this.sleep(wait);
    }
    this.stats.failures++;
    throw lastError!;
  }

  /** One HTTP exchange: the parsed value, or the classified error (never throws). */
  private async attempt<T>(
    eshopId: number,
    path: string,
    url: string,
    token: string,
    gate: TokenGate,
    parse: (data: unknown) => T,
  ): Promise<{ value: T } | ShoptetApiError> {
    await gate.acquire();
    let status = 0;
    let headers: Headers | undefined;
    let text = "";
    try {
      this.stats.requests++;
      const res = await this.fetchFn(url, {
        method: "GET",
        headers: { "Shoptet-Private-API-Token": token, "Content-Type": "application/json", Accept: "application/json" },
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
          ? `Shoptet API did not answer GET ${path} for e-shop ${eshopId} within ${this.timeoutMs} ms`
          : `cannot reach the Shoptet API at ${this.baseUrl} (GET ${path}: ${reason}): check SHOPTET_API_URL and the network`,
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
        method: "GET",
        path,
        eshopId,
        errors: errorItems(env),
        requestId,
        retryAfterMs: parseRetryAfter(headers!.get("retry-after"), this.options.clock.now()),
      });
    }
    if (env === null || env.data === undefined || env.data === null) {
      const items = errorItems(env);
      return new ShoptetApiError({
        message: `Shoptet API answered ${status} on GET ${path} for e-shop ${eshopId} without data${
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
        message: `Shoptet API answered GET ${path} for e-shop ${eshopId} with an unexpected shape: ${(cause as Error).message.slice(0, 300)}`,
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
