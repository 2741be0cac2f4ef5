import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../../src/shared/clock.js";
import { systemClock } from "../../src/shared/clock.js";
import type { IncomingEvent } from "../../src/events/event-store.js";
import { jobForEvent } from "../../src/events/jobs-for-event.js";
import { EVENT_CATALOG } from "../../src/events/event-catalog.js";
import { dedupeKeyOf } from "../../src/receiver/webhook-envelope.js";

/**
 * A loopback stand-in for the Shoptet REST API, shaped like the official OpenAPI spec: every
 * answer is `{data, errors, metadata: {requestId}}`, lists carry `data.paginator`, movements page
 * by `lastId` (ascending ids) or `changeTimeFrom`, `include=sumAmount` adds the total, amounts are
 * strings with three decimals. It counts requests per route so tests can assert read counts,
 * tracks concurrent requests per token (Shoptet answers 429 above 3), sends
 * `X-RateLimit-Bucket-Filling`, and can be told to fail the next requests of a route.
 *
 * It also keeps the webhook registrations of one installation (`/api/webhooks`): one URL per
 * event (422 "Webhook already exists for this event"), the 409 conflict pairs, up to 50 per POST
 * (201), paged lists, PATCH, DELETE (404 `webhook-not-found`) and renew-signature-key.
 */

export type Route =
  | "GET /api/eshop"
  | "GET /api/stocks"
  | "GET /api/stocks/{id}/movements"
  | "GET /api/stocks/{id}/movements/last"
  | "GET /api/stocks/{id}/supplies"
  | "GET /api/products"
  | "GET /api/products/{guid}"
  | "GET /api/products/code/{code}"
  | "GET /api/webhooks"
  | "POST /api/webhooks"
  | "GET /api/webhooks/{id}"
  | "PATCH /api/webhooks/{id}"
  | "DELETE /api/webhooks/{id}"
  | "POST /api/webhooks/renew-signature-key"
  | "GET /api/webhooks/notifications";

/** An entry of the webhook delivery log (the spec's `webhookNotification`). */
export interface StandinNotification {
  id: number;
  webhookId: number;
  webhookUrl: string;
  event: string;
  eventCreated: string | null;
  created: string | null;
  attempted: string | null;
  attempts: number;
  status: "new" | "failed" | "success";
  active: boolean;
  data: { eshopId: number; event: string; eventCreated: string | null; eventInstance: string };
}

/** A registration as the stand-in keeps it (the spec's `webhook` object). */
export interface StandinWebhook {
  id: number;
  event: string;
  url: string;
  created: string | null;
  updated: string | null;
  sendPayload: "full" | null;
}

/** Pairs Shoptet refuses to have registered together (409), from the event table of the spec. */
export const STANDIN_CONFLICT_PAIRS: readonly (readonly [string, string])[] = [
  ["order:update", "order:cancel"],
  ["customer:update", "customer:disableOrders"],
  ["customer:update", "customer:enableOrders"],
];

export interface StandinVariant {
  code: string;
  /** Variant label (`include=variantParameters`), null for a product without variants. */
  name?: string | null;
  minStockSupply?: number | null;
  /** Amounts per stock id (plain numbers; sent as "12.000"). */
  amounts?: Record<number, number>;
}

export interface StandinProduct {
  guid: string;
  name: string;
  variants: StandinVariant[];
}

interface StoredVariant {
  code: string;
  name: string | null;
  minMilli: number | null;
  amounts: Map<number, { milli: number; at: number | null }>;
}

interface StoredMovement {
  id: number;
  stockId: number;
  code: string;
  guid: string | null;
  actualMilli: number;
  changeMilli: number;
  sumMilli: number;
  changedBy: string | null;
  changeTime: number;
}

/** A canned answer for `failNext`: a status with optional headers/body, a function of now, or a dropped connection. */
export type Fault =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | ((now: number) => { status: number; headers?: Record<string, string>; body?: unknown })
  | "drop"
  | "hang"
  | "pass";

export interface RecordedRequest {
  route: Route | "unknown";
  method: string;
  url: string;
  query: URLSearchParams;
  token: string | undefined;
  contentType: string | undefined;
  /** The stand-in clock's time when the request arrived. */
  at: number;
  /** The parsed JSON body of a POST or PATCH (undefined when none or not JSON). */
  body?: unknown;
}

/** A request held at the stand-in until released (see `hold`). */
export interface Hold {
  /** Resolves when the held request has arrived. */
  arrived: Promise<void>;
  /** Lets the held request be answered normally. */
  release(): void;
}

export interface StandinOptions {
  /** Accepted tokens: one for every e-shop, or per e-shop id. Default "test-token". */
  token?: string;
  eshopId?: number;
  clock?: Clock;
  /** Milliseconds each answer waits (real time), to make overlap visible. */
  delayMs?: number;
  /** Value of X-RateLimit-Bucket-Filling; default "10/200". */
  bucketFilling?: string | (() => string);
  /** Whether `/api/products/code/{code}` finds codes with an encoded "/" (undocumented at Shoptet). Default false. */
  slashInCodePath?: boolean;
  /**
   * How a POST /api/webhooks with some bad items behaves: "atomic" (the spec: the whole call fails
   * with 422 or 409 and nothing is created) or "partial" (what one secondary source claims: 201,
   * the good items created, `errors` listing the rest). Default "atomic".
   */
  webhookCreateMode?: "atomic" | "partial";
  /** Largest `itemsPerPage` of GET /api/webhooks (Shoptet: 500); lower it to make paging happen. */
  webhooksPerPageMax?: number;
}

const fmt = (milli: number): string => {
  const sign = milli < 0 ? "-" : "";
  const abs = Math.abs(milli);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, "0")}`;
};
const time = (ms: number | null): string | null => (ms === null ? null : `${new Date(ms).toISOString().slice(0, 19)}+0000`);

export class ShoptetStandin {
  url = "";
  readonly token: string;
  readonly eshopId: number;
  readonly requests: RecordedRequest[] = [];
  /** Highest number of requests in flight at once for one token. */
  maxInFlight = 0;
  delayMs: number;
  bucketFilling: string | (() => string);
  private server: Server | null = null;
  private readonly clock: Clock;
  private readonly slashInCodePath: boolean;
  private inFlight = 0;
  private readonly stocks = new Map<number, string>();
  private readonly products = new Map<string, { guid: string; name: string; variants: StoredVariant[] }>();
  private readonly movements = new Map<number, StoredMovement[]>();
  private nextMovementId = 1000;
  private readonly faults = new Map<Route, Fault[]>();
  private readonly hanging: ServerResponse[] = [];
  private readonly holds = new Map<Route, { arrive: () => void; released: Promise<void> }[]>();
  private requestSeq = 0;
  private readonly webhookList = new Map<number, StandinWebhook>();
  private nextWebhookId = 1;
  /** The current signature key (renew-signature-key replaces it). */
  signatureKey: string | null = null;
  webhookCreateMode: "atomic" | "partial";
  private readonly webhooksPerPageMax: number;
  private readonly notificationLog: StandinNotification[] = [];
  private nextNotificationId = 990_000;

  constructor(options: StandinOptions = {}) {
    this.token = options.token ?? "test-token";
    this.eshopId = options.eshopId ?? 222651;
    this.clock = options.clock ?? systemClock;
    this.delayMs = options.delayMs ?? 0;
    this.bucketFilling = options.bucketFilling ?? "10/200";
    this.slashInCodePath = options.slashInCodePath ?? false;
    this.webhookCreateMode = options.webhookCreateMode ?? "atomic";
    this.webhooksPerPageMax = options.webhooksPerPageMax ?? 500;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Ends requests held by a "hang" fault (their clients see a dropped connection). */
  releaseHanging(): void {
    for (const res of this.hanging.splice(0)) res.destroy();
  }

  // ---- data ----------------------------------------------------------------------------------

  addStock(id: number, title = `Stock ${id}`): void {
    this.stocks.set(id, title);
    if (!this.movements.has(id)) this.movements.set(id, []);
  }

  addProduct(p: StandinProduct): void {
    this.products.set(p.guid, {
      guid: p.guid,
      name: p.name,
      variants: p.variants.map((v) => ({
        code: v.code,
        name: v.name ?? null,
        minMilli: v.minStockSupply === undefined || v.minStockSupply === null ? null : Math.round(v.minStockSupply * 1000),
        amounts: new Map(Object.entries(v.amounts ?? {}).map(([k, n]) => [Number(k), { milli: Math.round(n * 1000), at: this.clock.now() }])),
      })),
    });
  }

  setMinStockSupply(code: string, min: number | null): void {
    this.variant(code).v.minMilli = min === null ? null : Math.round(min * 1000);
  }

  /** Changes a variant's amount in a stock and logs the movement (ids ascend across all stocks). */
  move(stockId: number, code: string, change: number, options: { at?: number; changedBy?: string | null } = {}): number {
    const { p, v } = this.variant(code);
    if (!this.stocks.has(stockId)) this.addStock(stockId);
    const at = options.at ?? this.clock.now();
    const before = v.amounts.get(stockId)?.milli ?? 0;
    const changeMilli = Math.round(change * 1000);
    v.amounts.set(stockId, { milli: before + changeMilli, at });
    const id = ++this.nextMovementId;
    this.movements.get(stockId)!.push({
      id,
      stockId,
      code,
      guid: p.guid,
      actualMilli: before + changeMilli,
      changeMilli,
      sumMilli: this.total(v),
      changedBy: options.changedBy === undefined ? "admin" : options.changedBy,
      changeTime: at,
    });
    return id;
  }

  /** Sets a variant's amount in a stock without logging a movement (state drift the sync repairs). */
  setAmount(stockId: number, code: string, amount: number): void {
    this.variant(code).v.amounts.set(stockId, { milli: Math.round(amount * 1000), at: this.clock.now() });
  }

  quantityOf(code: string): number {
    return this.total(this.variant(code).v) / 1000;
  }

  /** Registers a webhook directly (as if another tool or an earlier run had). */
  addWebhook(event: string, url: string, sendPayload: "full" | null = null): StandinWebhook {
    const w: StandinWebhook = { id: this.nextWebhookId++, event, url, created: time(this.clock.now()), updated: null, sendPayload };
    this.webhookList.set(w.id, w);
    return w;
  }

  /** The registrations now, by id. */
  webhooks(): StandinWebhook[] {
    return [...this.webhookList.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * Logs a notification as Shoptet's delivery log would have it. `body` is what was (or was to
   * be) delivered; `created` defaults to its eventCreated; a `failed` one has made 3 attempts and is
   * no longer active unless told otherwise.
   */
  addNotification(
    body: { eshopId?: number; event: string; eventInstance: string; eventCreated: string | null },
    options: { status?: StandinNotification["status"]; active?: boolean; createdMs?: number; attempts?: number; url?: string } = {},
  ): StandinNotification {
    const status = options.status ?? "failed";
    const createdMs = options.createdMs ?? (body.eventCreated === null ? this.clock.now() : Date.parse(body.eventCreated));
    const attempts = options.attempts ?? (status === "new" ? 0 : status === "failed" ? 3 : 1);
    const data = { eshopId: body.eshopId ?? this.eshopId, event: body.event, eventCreated: body.eventCreated, eventInstance: body.eventInstance };
    const n: StandinNotification = {
      id: ++this.nextNotificationId,
      webhookId: this.webhooks().find((w) => w.event === body.event)?.id ?? 1,
      webhookUrl: options.url ?? "https://stockwatch.example/webhooks/shoptet",
      event: body.event,
      eventCreated: body.eventCreated,
      created: time(createdMs),
      attempted: attempts > 0 ? time(createdMs + (attempts - 1) * 15 * 60_000) : null,
      attempts,
      status,
      active: options.active ?? (status === "new" || (status === "failed" && attempts < 3)),
      data,
    };
    this.notificationLog.push(n);
    return n;
  }

  /** The delivery log now, oldest first. */
  notifications(): StandinNotification[] {
    return [...this.notificationLog];
  }

  movementCount(stockId: number): number {
    return this.movements.get(stockId)?.length ?? 0;
  }

  /** Answers the next requests of a route with these faults, in order. */
  failNext(route: Route, ...faults: Fault[]): void {
    this.faults.set(route, [...(this.faults.get(route) ?? []), ...faults]);
  }

  /** Holds the next request of a route (after counting it) until `release()`; then it is answered normally. */
  hold(route: Route): Hold {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.set(route, [...(this.holds.get(route) ?? []), { arrive, released }]);
    return { arrived, release };
  }

  /** Resolves once `n` requests of a route have arrived. */
  async waitForRequests(route: Route, n: number, timeoutMs = 5000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.count(route) < n) {
      if (Date.now() > until) throw new Error(`stand-in: waited for ${n} requests of ${route}, saw ${this.count(route)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Requests counted for a route. */
  count(route: Route): number {
    return this.requests.filter((r) => r.route === route).length;
  }

  resetCounts(): void {
    this.requests.length = 0;
    this.maxInFlight = 0;
  }

  private variant(code: string): { p: { guid: string; name: string; variants: StoredVariant[] }; v: StoredVariant } {
    for (const p of this.products.values()) {
      const v = p.variants.find((x) => x.code === code);
      if (v) return { p, v };
    }
    throw new Error(`stand-in: unknown product code ${code}`);
  }

  private total(v: StoredVariant): number {
    let t = 0;
    for (const a of v.amounts.values()) t += a.milli;
    return t;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private routeOf(method: string, path: string): { route: Route | "unknown"; params: string[] } {
    const webhookRules: [string, RegExp, Route][] = [
      ["GET", /^\/api\/webhooks$/, "GET /api/webhooks"],
      ["POST", /^\/api\/webhooks$/, "POST /api/webhooks"],
      ["POST", /^\/api\/webhooks\/renew-signature-key$/, "POST /api/webhooks/renew-signature-key"],
      ["GET", /^\/api\/webhooks\/notifications$/, "GET /api/webhooks/notifications"],
      ["GET", /^\/api\/webhooks\/(\d+)$/, "GET /api/webhooks/{id}"],
      ["PATCH", /^\/api\/webhooks\/(\d+)$/, "PATCH /api/webhooks/{id}"],
      ["DELETE", /^\/api\/webhooks\/(\d+)$/, "DELETE /api/webhooks/{id}"],
    ];
    for (const [m, re, route] of webhookRules) {
      const match = re.exec(path);
      if (match && m === method) return { route, params: match.slice(1) };
    }
    const rules: [RegExp, Route][] = [
      [/^\/api\/eshop$/, "GET /api/eshop"],
      [/^\/api\/stocks$/, "GET /api/stocks"],
      [/^\/api\/stocks\/([^/]+)\/movements$/, "GET /api/stocks/{id}/movements"],
      [/^\/api\/stocks\/([^/]+)\/movements\/last$/, "GET /api/stocks/{id}/movements/last"],
      [/^\/api\/stocks\/([^/]+)\/supplies$/, "GET /api/stocks/{id}/supplies"],
      [/^\/api\/products$/, "GET /api/products"],
      [/^\/api\/products\/code\/([^/]+)$/, "GET /api/products/code/{code}"],
      [/^\/api\/products\/([^/]+)$/, "GET /api/products/{guid}"],
    ];
    for (const [re, route] of rules) {
      const m = re.exec(path);
      if (m) return { route, params: m.slice(1) };
    }
    return { route: "unknown", params: [] };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://standin");
    const { route, params } = this.routeOf(req.method ?? "GET", url.pathname);
    const token = req.headers["shoptet-private-api-token"] as string | undefined;
    const requestBody = await readJson(req);
    this.requests.push({
      route,
      method: req.method ?? "GET",
      url: req.url ?? "",
      query: url.searchParams,
      token,
      contentType: req.headers["content-type"],
      at: this.clock.now(),
      ...(requestBody === undefined ? {} : { body: requestBody }),
    });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const held = route === "unknown" ? undefined : this.holds.get(route)?.shift();
      if (held) {
        held.arrive();
        await held.released;
      }
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.inFlight > 3) return this.send(res, 429, null, [{ errorCode: "too-many-connections", message: "limit_conn per_token 3" }]);
      if (token !== this.token) {
        return this.send(res, 401, null, [{ errorCode: token ? "invalid-token" : "missing-access-token", message: "Invalid access token." }]);
      }
      const fault = route === "unknown" ? undefined : this.faults.get(route)?.shift();
      if (fault === "drop") {
        res.destroy();
        return;
      }
      if (fault === "pass" || fault === undefined) {
        if (route.includes("/api/webhooks")) return this.answerWebhooks(route as Route, params, url.searchParams, requestBody, res);
        return this.answer(route, params, url.searchParams, res);
      }
      if (fault === "hang") {
        this.hanging.push(res);
        return;
      }
      const f = typeof fault === "function" ? fault(this.clock.now()) : fault;
      const body = f.body ?? { data: null, errors: [{ errorCode: `http-${f.status}`, message: "injected fault", instance: "standin" }], metadata: { requestId: this.reqId() } };
      res.writeHead(f.status, { "Content-Type": "application/json", ...this.baseHeaders(), ...(f.headers ?? {}) });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    } finally {
      this.inFlight--;
    }
  }

  private reqId(): string {
    return `req-${++this.requestSeq}`;
  }

  private baseHeaders(): Record<string, string> {
    const filling = typeof this.bucketFilling === "function" ? this.bucketFilling() : this.bucketFilling;
    return { "X-RateLimit-Bucket-Filling": filling };
  }

  private send(res: ServerResponse, status: number, data: unknown, errors: { errorCode: string; message: string; instance?: string }[] | null = null): void {
    const requestId = this.reqId();
    res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "X-Request-ID": requestId, ...this.baseHeaders() });
    res.end(
      JSON.stringify({
        data,
        errors: errors?.map((e) => ({ instance: "request", ...e })) ?? null,
        metadata: { requestId },
      }),
    );
  }

  private paginate<T>(items: T[], q: URLSearchParams, def: number, max: number): { page: T[]; paginator: object } {
    const perPage = Math.min(Math.max(Number(q.get("itemsPerPage") ?? def) || def, 1), max);
    const page = Math.max(Number(q.get("page") ?? 1) || 1, 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    return {
      page: slice,
      paginator: {
        totalCount: items.length,
        page,
        pageCount: Math.max(1, Math.ceil(items.length / perPage)),
        itemsOnPage: slice.length,
        itemsPerPage: perPage,
      },
    };
  }

  private answer(route: Route | "unknown", params: string[], q: URLSearchParams, res: ServerResponse): void {
    const includes = new Set((q.get("include") ?? "").split(",").filter(Boolean));
    switch (route) {
      case "GET /api/eshop":
        return this.send(res, 200, { contactInformation: { eshopId: this.eshopId, eshopName: "Stand-in" }, settings: {} });
      case "GET /api/stocks":
        return this.send(res, 200, {
          stocks: [...this.stocks].map(([id, title]) => ({
            id,
            title,
            isDeliveryPoint: false,
            visibleOnEshop: true,
            deliveryPointTitle: null,
            deliveryPointAddress: null,
          })),
          defaultStockId: [...this.stocks.keys()][0] ?? 1,
        });
      case "GET /api/stocks/{id}/movements": {
        const list = this.movements.get(Number(params[0]));
        if (!list) return this.send(res, 404, null, [{ errorCode: "stock-not-found", message: `Stock ${params[0]} not found.` }]);
        // The log is kept in ascending id order, so a cursor is a binary search, not a scan.
        let items = list;
        const lastId = q.get("lastId");
        if (lastId !== null) {
          let lo = 0;
          let hi = list.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (list[mid]!.id <= Number(lastId)) lo = mid + 1;
            else hi = mid;
          }
          items = list.slice(lo);
        }
        const from = q.get("changeTimeFrom");
        if (from !== null) {
          const ms = Date.parse(from);
          if (!Number.isFinite(ms)) return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: "changeTimeFrom is not a date" }]);
          items = items.filter((m) => m.changeTime >= Math.floor(ms / 1000) * 1000);
        }
        const { page, paginator } = this.paginate(items, q, 25, 1000);
        return this.send(res, 200, {
          movements: page.map((m) => ({
            id: m.id,
            productCode: m.code,
            actualAmount: fmt(m.actualMilli),
            amountChange: fmt(m.changeMilli),
            changedBy: m.changedBy,
            changeTime: time(m.changeTime),
            ...(includes.has("sumAmount") ? { sumAmount: fmt(m.sumMilli) } : {}),
            ...(includes.has("productGuid") ? { productGuid: m.guid } : {}),
          })),
          paginator,
        });
      }
      case "GET /api/stocks/{id}/movements/last": {
        const list = this.movements.get(Number(params[0]));
        if (!list) return this.send(res, 404, null, [{ errorCode: "stock-not-found", message: `Stock ${params[0]} not found.` }]);
        const last = list[list.length - 1];
        return this.send(res, 200, { lastId: last?.id ?? null, lastChangeTime: last ? time(last.changeTime) : null });
      }
      case "GET /api/stocks/{id}/supplies": {
        const stockId = Number(params[0]);
        if (!this.stocks.has(stockId)) return this.send(res, 404, null, [{ errorCode: "stock-not-found", message: `Stock ${stockId} not found.` }]);
        const rows: object[] = [];
        const code = q.get("code");
        for (const p of this.products.values()) {
          for (const v of p.variants) {
            if (code !== null && v.code !== code) continue;
            const a = v.amounts.get(stockId);
            if (!a) continue;
            rows.push({
              productGuid: p.guid,
              code: v.code,
              amount: fmt(a.milli),
              claim: "0.000",
              location: null,
              ...(includes.has("changeTime") ? { changeTime: time(a.at) } : {}),
            });
          }
        }
        const { page, paginator } = this.paginate(rows, q, 1000, 1000);
        return this.send(res, 200, { supplies: page, paginator });
      }
      case "GET /api/products": {
        const codes = (q.get("productCodes") ?? "").split(",").filter(Boolean);
        const list = [...this.products.values()].filter((p) => codes.length === 0 || p.variants.some((v) => codes.includes(v.code)));
        const { page, paginator } = this.paginate(list, q, 20, 1000);
        return this.send(res, 200, {
          products: page.map((p) => ({ guid: p.guid, name: p.name, type: "product", visibility: "normal" })),
          paginator,
        });
      }
      case "GET /api/products/{guid}": {
        const p = this.products.get(decodeURIComponent(params[0] ?? ""));
        if (!p) return this.send(res, 404, null, [{ errorCode: "product-not-found", message: "Product not found." }]);
        return this.send(res, 200, this.productBody(p, includes));
      }
      case "GET /api/products/code/{code}": {
        const raw = params[0] ?? "";
        if (!this.slashInCodePath && /%2f/i.test(raw)) {
          return this.send(res, 404, null, [{ errorCode: "product-not-found", message: "Product not found." }]);
        }
        const code = decodeURIComponent(raw);
        const p = [...this.products.values()].find((x) => x.variants.some((v) => v.code === code));
        if (!p) return this.send(res, 404, null, [{ errorCode: "product-not-found", message: "Product not found." }]);
        return this.send(res, 200, this.productBody(p, includes));
      }
      default:
        return this.send(res, 404, null, [{ errorCode: "not-found", message: "No route." }]);
    }
  }

  // ---- webhook registration ------------------------------------------------------------------

  private answerWebhooks(route: Route, params: string[], q: URLSearchParams, body: unknown, res: ServerResponse): void {
    switch (route) {
      case "GET /api/webhooks": {
        const { page, paginator } = this.paginate(this.webhooks(), q, Math.min(20, this.webhooksPerPageMax), this.webhooksPerPageMax);
        return this.send(res, 200, { webhooks: page, paginator });
      }
      case "GET /api/webhooks/{id}": {
        const w = this.webhookList.get(Number(params[0]));
        if (!w) return this.notFoundWebhook(res, params[0]);
        return this.send(res, 200, { webhook: w });
      }
      case "POST /api/webhooks":
        return this.createWebhooks(body, res);
      case "PATCH /api/webhooks/{id}": {
        const w = this.webhookList.get(Number(params[0]));
        if (!w) return this.notFoundWebhook(res, params[0]);
        const data = (body as { data?: Record<string, unknown> } | undefined)?.data;
        if (!data || typeof data !== "object" || Object.keys(data).length === 0) {
          return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: "data must have at least 1 property" }]);
        }
        if (data.url !== undefined) {
          if (typeof data.url !== "string" || data.url.length > 2000) {
            return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: "url must be a string of at most 2000 characters" }]);
          }
          w.url = data.url;
        }
        if (data.sendPayload !== undefined) w.sendPayload = data.sendPayload === "full" ? "full" : null;
        w.updated = time(this.clock.now());
        return this.send(res, 200, null);
      }
      case "DELETE /api/webhooks/{id}": {
        if (!this.webhookList.delete(Number(params[0]))) return this.notFoundWebhook(res, params[0]);
        return this.send(res, 200, null);
      }
      case "GET /api/webhooks/notifications":
        return this.answerNotifications(q, res);
      case "POST /api/webhooks/renew-signature-key":
        this.signatureKey = randomBytes(16).toString("hex");
        return this.send(res, 200, { signatureKey: this.signatureKey });
      default:
        return this.send(res, 404, null, [{ errorCode: "not-found", message: "No route." }]);
    }
  }

  /**
   * The delivery log, newest first (the order Shoptet uses is not documented; newest first is the
   * one where paging while new notifications arrive shifts items to later pages). Filters as the
   * spec lists them; `from` must be a datetime (a `+` sent unencoded arrives as a space: 400);
   * `itemsPerPage` defaults to 20 and is clamped at 500.
   */
  private answerNotifications(q: URLSearchParams, res: ServerResponse): void {
    let items = [...this.notificationLog].reverse();
    const status = q.get("status");
    if (status !== null) {
      if (!["new", "failed", "success"].includes(status)) {
        return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: `status: supported values are new, failed, success` }]);
      }
      items = items.filter((n) => n.status === status);
    }
    const event = q.get("event");
    if (event !== null) items = items.filter((n) => n.event === event);
    const active = q.get("active");
    if (active !== null) {
      if (active !== "true" && active !== "false") return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: "active must be true or false" }]);
      items = items.filter((n) => n.active === (active === "true"));
    }
    const from = q.get("from");
    if (from !== null) {
      const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:?\d{2}$/.test(from) ? Date.parse(from) : NaN;
      if (!Number.isFinite(ms)) return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: `from: "${from}" is not a datetime` }]);
      items = items.filter((n) => n.created !== null && Date.parse(n.created) >= ms);
    }
    const { page, paginator } = this.paginate(items, q, 20, 500);
    return this.send(res, 200, { notifications: page, paginator });
  }

  private notFoundWebhook(res: ServerResponse, id: string | undefined): void {
    this.send(res, 404, null, [{ errorCode: "webhook-not-found", message: `Webhook with id "${id}" not found.`, instance: String(id) }]);
  }

  private createWebhooks(body: unknown, res: ServerResponse): void {
    const items = (body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(items) || items.length === 0) {
      return this.send(res, 400, null, [{ errorCode: "invalid-request-data", message: "data must be a non-empty array" }]);
    }
    if (items.length > 50) {
      return this.send(res, 413, null, [{ errorCode: "too-many-entities", message: "It is possible to enter up to 50 webhooks using a single call." }]);
    }
    const invalid: { errorCode: string; message: string; instance: string }[] = [];
    for (const [i, item] of items.entries()) {
      const it = item as { event?: unknown; url?: unknown };
      if (typeof it?.event !== "string" || !(it.event in EVENT_CATALOG) || it.event.startsWith("addon:")) {
        invalid.push({ errorCode: "invalid-request-data", message: `data[${i}].event: unknown event type ${JSON.stringify(it?.event)}`, instance: `data[${i}]` });
      } else if (typeof it.url !== "string" || it.url.length === 0 || it.url.length > 2000) {
        invalid.push({ errorCode: "invalid-request-data", message: `data[${i}].url must be a string of at most 2000 characters`, instance: `data[${i}]` });
      }
    }
    if (invalid.length) return this.send(res, 400, null, invalid);

    const wanted = items as { event: string; url: string; sendPayload?: "full" | null }[];
    const registered = new Set(this.webhooks().map((w) => w.event));
    const created: StandinWebhook[] = [];
    const failed: { status: number; errorCode: string; message: string; instance: string }[] = [];
    const accepted = new Set<string>();
    for (const it of wanted) {
      const partner = conflictPartnerOf(it.event, new Set([...registered, ...accepted]));
      if (registered.has(it.event) || accepted.has(it.event)) {
        failed.push({ status: 422, errorCode: "webhook-already-exists", message: "Webhook already exists for this event", instance: it.event });
      } else if (partner) {
        failed.push({
          status: 409,
          errorCode: "webhook-conflict",
          message: `Webhook for event "${it.event}" cannot be registered together with "${partner}".`,
          instance: it.event,
        });
      } else {
        accepted.add(it.event);
      }
    }
    const status = failed.some((f) => f.status === 409) ? 409 : 422;
    if (failed.length && this.webhookCreateMode === "atomic") {
      return this.send(res, status, null, failed.map(({ status: _s, ...e }) => e));
    }
    for (const it of wanted) {
      if (!accepted.has(it.event)) continue;
      created.push(this.addWebhook(it.event, it.url, it.sendPayload ?? null));
    }
    const requestId = this.reqId();
    res.writeHead(201, { "Content-Type": "application/json; charset=utf-8", "X-Request-ID": requestId, ...this.baseHeaders() });
    res.end(
      JSON.stringify({
        data: { webhooks: created },
        errors: failed.length ? failed.map(({ status: _s, ...e }) => e) : null,
        metadata: { requestId },
      }),
    );
  }

  private productBody(p: { guid: string; name: string; variants: StoredVariant[] }, includes: Set<string>): object {
    return {
      guid: p.guid,
      type: "product",
      name: p.name,
      visibility: "normal",
      isVariant: p.variants.length > 1,
      variants: p.variants.map((v) => ({
        code: v.code,
        ean: null,
        stock: fmt(this.total(v)),
        unit: "ks",
        minStockSupply: v.minMilli === null ? null : fmt(v.minMilli),
        negativeStockAllowed: "no-global",
        amountDecimalPlaces: 0,
        ...(includes.has("variantParameters") ? { name: v.name } : {}),
        ...(includes.has("perStockAmounts")
          ? {
              perStockAmounts: [...v.amounts].map(([stockId, a]) => ({
                stockId,
                amount: fmt(a.milli),
                claim: "0.000",
                location: null,
                lastAmountUpdate: time(a.at),
              })),
            }
          : {}),
      })),
    };
  }
}

/** The registered event that `event` cannot be registered together with, if any. */
function conflictPartnerOf(event: string, registered: ReadonlySet<string>): string | undefined {
  for (const [a, b] of STANDIN_CONFLICT_PAIRS) {
    if (event === a && registered.has(b)) return b;
    if (event === b && registered.has(a)) return a;
  }
  return undefined;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (req.method === "GET" || req.method === "HEAD") return undefined;
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

/** Starts a stand-in; remember to `close()` it. */
export async function startShoptetStandin(options: StandinOptions = {}): Promise<ShoptetStandin> {
  return new ShoptetStandin(options).start();
}

// ---- webhooks --------------------------------------------------------------------------------


/**
 * A webhook as the receiver stores it (same dedupe key and job as the real receiver), for
 * `EventStore.insertBatch`. `createdMs` is Shoptet's eventCreated; `receivedAt` defaults to it.
 */
export function webhookEvent(
  eshopId: number,
  event: string,
  eventInstance: string,
  createdMs: number,
  receivedAt: number = createdMs,
): IncomingEvent {
  const eventCreated = `${new Date(createdMs).toISOString().slice(0, 19)}+0000`;
  const body = { eshopId, event, eventCreated, eventInstance };
  return {
    eshopId,
    event,
    eventInstance,
    eventCreated,
    eventCreatedMs: Date.parse(eventCreated),
    receivedAt,
    dedupeKey: dedupeKeyOf(body),
    known: event in EVENT_CATALOG,
    payload: null,
    raw: Buffer.from(JSON.stringify(body)),
    job: jobForEvent(event, eventInstance),
  };
}
