import { afterEach, describe, expect, it } from "vitest";
import { FixedClock } from "../../src/shared/clock.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { ShoptetApiError } from "../../src/shoptet/shoptet-error.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";

let standin: ShoptetStandin;
afterEach(async () => {
  await standin?.close();
});

async function setup(options: Parameters<typeof startShoptetStandin>[0] = {}) {
  const clock = new FixedClock(Date.parse("2026-03-02T10:00:00Z"));
  standin = await startShoptetStandin({ clock, ...options });
  const client = new ShoptetClient({
    baseUrl: standin.url,
    tokenFor: () => standin.token,
    clock,
    random: () => 0.5,
    sleep: async (ms) => clock.advance(ms),
  });
  return { client, eshop: standin.eshopId };
}

describe("ShoptetClient webhook calls", () => {
  it("creates (201), lists across pages, re-points and deletes webhooks", async () => {
    const { client, eshop } = await setup({ webhooksPerPageMax: 2 });
    const made = await client.createWebhooks(eshop, [
      { event: "stock:movement", url: "https://a.example.com/webhooks/shoptet" },
      { event: "stock:soldOut", url: "https://a.example.com/webhooks/shoptet" },
      { event: "order:create", url: "https://b.example.com/x", sendPayload: null },
    ]);
    expect(made.map((w) => w.event)).toEqual(["stock:movement", "stock:soldOut", "order:create"]);
    expect(made[0]).toMatchObject({ id: expect.any(Number), url: "https://a.example.com/webhooks/shoptet", sendPayload: null, created: expect.any(Number) });
    expect((await client.listWebhooks(eshop)).map((w) => w.event)).toEqual(["stock:movement", "stock:soldOut", "order:create"]);
    expect(standin.count("GET /api/webhooks")).toBe(2);

    await client.updateWebhook(eshop, made[2]!.id, { url: "https://c.example.com/x" });
    await client.deleteWebhook(eshop, made[0]!.id);
    expect(standin.webhooks().map((w) => [w.event, w.url])).toEqual([
      ["stock:soldOut", "https://a.example.com/webhooks/shoptet"],
      ["order:create", "https://c.example.com/x"],
    ]);
    expect(standin.requests.find((r) => r.route === "PATCH /api/webhooks/{id}")!.body).toEqual({ data: { url: "https://c.example.com/x" } });
  });

  it("surfaces 422 and 409 with Shoptet's errorCode and message, without retrying", async () => {
    const { client, eshop } = await setup();
    standin.addWebhook("order:update", "https://a.example.com/webhooks/shoptet");
    const dup = await client.createWebhooks(eshop, [{ event: "order:update", url: "https://a.example.com/webhooks/shoptet" }]).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ShoptetApiError);
    expect(dup).toMatchObject({ status: 422, code: "webhook-already-exists", retryable: false });
    expect((dup as Error).message).toContain("Webhook already exists for this event");
    const conflict = await client.createWebhooks(eshop, [{ event: "order:cancel", url: "https://a.example.com/webhooks/shoptet" }]).catch((e: unknown) => e);
    expect(conflict).toMatchObject({ status: 409, retryable: false });
    expect(standin.count("POST /api/webhooks")).toBe(2);
    const gone = await client.deleteWebhook(eshop, 999).catch((e: unknown) => e);
    expect(gone).toMatchObject({ status: 404, code: "webhook-not-found" });
  });

  it("repeats a POST only when Shoptet says it did not process it (503), not after a 500", async () => {
    const { client, eshop } = await setup();
    standin.failNext("POST /api/webhooks", { status: 503 });
    await client.createWebhooks(eshop, [{ event: "stock:movement", url: "https://a.example.com/webhooks/shoptet" }]);
    expect(standin.count("POST /api/webhooks")).toBe(2);

    standin.failNext("POST /api/webhooks/renew-signature-key", { status: 500 });
    const error = await client.renewSignatureKey(eshop).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500 });
    expect(standin.count("POST /api/webhooks/renew-signature-key")).toBe(1);
    // a DELETE may be repeated: doing it twice is harmless
    const id = standin.webhooks()[0]!.id;
    standin.failNext("DELETE /api/webhooks/{id}", { status: 500 });
    await client.deleteWebhook(eshop, id);
    expect(standin.count("DELETE /api/webhooks/{id}")).toBe(2);
  });

  it("refuses more than 50 webhooks per call before sending", async () => {
    const { client, eshop } = await setup();
    const many = Array.from({ length: 51 }, (_, i) => ({ event: `e${i}`, url: "https://a.example.com/x" }));
    await expect(client.createWebhooks(eshop, many)).rejects.toThrow(RangeError);
    expect(standin.requests).toEqual([]);
  });

  it("returns the renewed signature key", async () => {
    const { client, eshop } = await setup();
    const key = await client.renewSignatureKey(eshop);
    expect(key).toBe(standin.signatureKey);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
  });
});
