import { afterEach, describe, expect, it } from "vitest";
import { FixedClock } from "../../src/shared/clock.js";
import { ShoptetClient, type ShoptetClientOptions } from "../../src/shoptet/shoptet-client.js";
import { ShoptetApiError } from "../../src/shoptet/shoptet-error.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");
let standin: ShoptetStandin;

afterEach(async () => {
  await standin?.close();
});

/** A client on a fixed clock whose sleeps advance the clock and are recorded. */
function clientFor(s: ShoptetStandin, clock: FixedClock, extra: Partial<ShoptetClientOptions> = {}) {
  const sleeps: number[] = [];
  const client = new ShoptetClient({
    baseUrl: s.url,
    tokenFor: (id) => (id === s.eshopId ? s.token : undefined),
    clock,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    ...extra,
  });
  return { client, sleeps };
}

async function setup(options: Parameters<typeof startShoptetStandin>[0] = {}) {
  const clock = new FixedClock(T0);
  standin = await startShoptetStandin({ clock, ...options });
  standin.addStock(1);
  standin.addProduct({ guid: "g-1", name: "Coffee", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 12 } }] });
  standin.addProduct({ guid: "g-2", name: "Tea", variants: [{ code: "26/BIL", name: "White", minStockSupply: null, amounts: { 1: 3 } }] });
  return { clock, ...clientFor(standin, clock) };
}

describe("ShoptetClient", () => {
  it("sends the token and JSON content type, and parses the envelope into typed results", async () => {
    const { client } = await setup();
    standin.move(1, "KAV-1", -2);
    const page = await client.movements(standin.eshopId, 1, { lastId: 0 });
    expect(page.movements).toHaveLength(1);
    expect(page.movements[0]).toMatchObject({ productCode: "KAV-1", amountChangeMilli: -2000, actualAmountMilli: 10000, sumAmountMilli: 10000, productGuid: "g-1" });
    const req = standin.requests[0]!;
    expect(req.token).toBe(standin.token);
    expect(req.contentType).toBe("application/json");
    expect(req.query.get("include")).toContain("sumAmount");
    expect(req.query.get("itemsPerPage")).toBe("1000");
  });

  it("honours a 429 Retry-After given as an HTTP date, then succeeds", async () => {
    const { client, sleeps, clock } = await setup();
    standin.failNext("GET /api/stocks", (now) => ({
      status: 429,
      headers: { "Retry-After": new Date(now + 3000).toUTCString(), "X-RateLimit-Bucket-Filling": "200/200" },
    }));
    const stocks = await client.listStocks(standin.eshopId);
    expect(stocks.stocks.map((s) => s.id)).toEqual([1]);
    expect(standin.count("GET /api/stocks")).toBe(2);
    // The retry waited until the date, not for a guessed backoff.
    const retry = standin.requests[1]!;
    expect(retry.at - T0).toBeGreaterThanOrEqual(3000);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3000);
    expect(clock.now() - T0).toBeLessThan(10_000);
    expect(client.stats.rateLimited).toBe(1);
  });

  it("hands a long Retry-After to the caller as a retryable error with the wait", async () => {
    const { client } = await setup();
    standin.failNext("GET /api/stocks", (now) => ({ status: 429, headers: { "Retry-After": new Date(now + 600_000).toUTCString() } }));
    const error = await client.listStocks(standin.eshopId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoptetApiError);
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 600_000 });
    expect(standin.count("GET /api/stocks")).toBe(1);
  });

  it("retries 503, 500, 423 and dropped connections, then succeeds", async () => {
    const { client } = await setup();
    standin.failNext("GET /api/stocks", { status: 503 }, { status: 500 }, "drop");
    const stocks = await client.listStocks(standin.eshopId);
    expect(stocks.defaultStockId).toBe(1);
    expect(standin.count("GET /api/stocks")).toBe(4);
    standin.failNext("GET /api/stocks", { status: 423 });
    await client.listStocks(standin.eshopId);
    expect(standin.count("GET /api/stocks")).toBe(6);
  });

  it("gives up after the bounded number of attempts", async () => {
    const { client } = await setup();
    standin.failNext("GET /api/stocks", { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await expect(client.listStocks(standin.eshopId)).rejects.toMatchObject({ status: 503, retryable: true });
    expect(standin.count("GET /api/stocks")).toBe(4);
  });

  it.each([400, 404, 422])("never retries %i", async (status) => {
    const { client } = await setup();
    standin.failNext("GET /api/stocks/{id}/supplies", { status });
    await expect(client.supplies(standin.eshopId, 1, {})).rejects.toMatchObject({ status, retryable: false });
    expect(standin.count("GET /api/stocks/{id}/supplies")).toBe(1);
  });

  it("says what to fix on 401 without leaking the token", async () => {
    const clock = new FixedClock(T0);
    standin = await startShoptetStandin({ clock });
    const { client } = clientFor(standin, clock, { tokenFor: () => "wrong-secret-token" });
    const error = (await client.listStocks(standin.eshopId).catch((e: unknown) => e)) as ShoptetApiError;
    expect(error.status).toBe(401);
    expect(error.message).toContain(`SHOPTET_API_TOKEN_${standin.eshopId}`);
    expect(error.message).not.toContain("wrong-secret-token");
  });

  it("fails fast without a token, naming the variable", async () => {
    const { client } = await setup();
    await expect(client.listStocks(999)).rejects.toMatchObject({ code: "no-token", retryable: false });
    expect(client.hasToken(999)).toBe(false);
    expect(standin.requests).toHaveLength(0);
  });

  it("times out a call that never answers, and retries it", async () => {
    const clock = new FixedClock(T0);
    standin = await startShoptetStandin({ clock });
    standin.addStock(1);
    const { client } = clientFor(standin, clock, { timeoutMs: 100 });
    standin.failNext("GET /api/stocks", "hang");
    const stocks = await client.listStocks(standin.eshopId);
    expect(stocks.stocks).toHaveLength(1);
    expect(standin.count("GET /api/stocks")).toBe(2);
  });

  it("keeps at most 2 requests in flight per token", async () => {
    const { client } = await setup({ delayMs: 20 });
    await Promise.all(Array.from({ length: 8 }, () => client.supplies(standin.eshopId, 1, {})));
    expect(standin.count("GET /api/stocks/{id}/supplies")).toBe(8);
    expect(standin.maxInFlight).toBe(2);
  });

  it("slows down when the leaky bucket is more than 75% full", async () => {
    const { client, sleeps } = await setup({ bucketFilling: "190/200" });
    await client.listStocks(standin.eshopId);
    expect(sleeps).toHaveLength(0);
    await client.listStocks(standin.eshopId);
    // (190 - 150) drops at 10/s = 4 s before the second request.
    expect(sleeps).toEqual([4000]);
  });

  it("reads a product whose code contains '/' through the productCodes filter, not the code path", async () => {
    const { client } = await setup();
    const product = await client.productByCode(standin.eshopId, "26/BIL");
    expect(product?.guid).toBe("g-2");
    expect(product?.variants[0]).toMatchObject({ code: "26/BIL", name: "White", stockMilli: 3000, minStockSupplyMilli: null });
    expect(product?.variants[0]?.perStock).toEqual([{ stockId: 1, amountMilli: 3000, changedAt: T0 }]);
    expect(standin.count("GET /api/products/code/{code}")).toBe(0);
    expect(standin.requests.find((r) => r.route === "GET /api/products")?.query.get("productCodes")).toBe("26/BIL");
  });

  it("reads other codes through /api/products/code/{code}, and answers null for unknown products", async () => {
    const { client } = await setup();
    const product = await client.productByCode(standin.eshopId, "KAV-1");
    expect(product).toMatchObject({ guid: "g-1", name: "Coffee" });
    expect(product?.variants[0]?.minStockSupplyMilli).toBe(5000);
    expect(await client.productByCode(standin.eshopId, "NOPE")).toBeNull();
    expect(await client.productByCode(standin.eshopId, "NO/PE")).toBeNull();
    expect(await client.productByGuid(standin.eshopId, "missing")).toBeNull();
  });

  it("rejects a 200 whose data has the wrong shape, without retrying", async () => {
    const { client } = await setup();
    standin.failNext("GET /api/stocks", { status: 200, body: { data: { stocks: "nope" }, errors: null, metadata: { requestId: "r" } } });
    await expect(client.listStocks(standin.eshopId)).rejects.toMatchObject({ code: "invalid-response", retryable: false });
  });
});
