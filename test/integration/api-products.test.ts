import { describe, expect, it } from "vitest";
import { listProducts } from "../helpers/stock-reads.js";
import { seedProduct } from "../helpers/seed-state.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

describe("GET /api/products over a whole shop", () => {
  it("answers every product with its forecast, in order, while webhooks keep being answered", async () => {
    const { app, url } = await startTestApp();
    const now = Date.now();
    // Immediate: the engine thread writes too, and a deferred transaction could not wait for it.
    app.db
      .transaction(() => {
        for (let i = 0; i < 1_201; i++) {
          seedProduct(app.db, { code: `P-${String(i).padStart(4, "0")}`, name: `Product ${i}`, quantity: i % 7, min: 3, level: i % 7 === 0 ? "soldOut" : i % 7 <= 3 ? "low" : "ok", since: now });
        }
      })
      .immediate();
    // The forecasts are computed in slices of 500; a webhook sent meanwhile is still stored.
    const [products, webhook] = await Promise.all([
      fetch(`${url}/api/products?limit=5000`).then(async (r) => ({ status: r.status, body: (await r.json()) as { products: Record<string, unknown>[] } })),
      postWebhook(url, envelope("order:create", "2026000001")),
    ]);
    expect(products.status).toBe(200);
    expect(webhook.status).toBe(200);
    const got = products.body.products;
    expect(got.map((p) => p.code)).toEqual(listProducts(app.db, { limit: 5000 }).map((p) => p.code));
    expect(got).toHaveLength(1_201);
    for (const p of got) {
      expect(p).toHaveProperty("velocityPerDay");
      expect(p).toHaveProperty("daysOfCover");
    }
  });

  it("refuses a limit outside 1–100000 with 400 and says so", async () => {
    const { url } = await startTestApp();
    const res = await fetch(`${url}/api/products?limit=0`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/limit must be a whole number/);
  });
});
