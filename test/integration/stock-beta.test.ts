import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { systemClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { getProduct } from "../helpers/stock-reads.js";
import { createStockWorker } from "../../src/stock/stock-worker.js";
import type { StockChange } from "../../src/stock/stock-types.js";
import { startShoptetStandin, webhookEvent, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const ESHOP = 222651;
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function standin(): Promise<ShoptetStandin> {
  const s = await startShoptetStandin({ eshopId: ESHOP });
  open.push(s);
  s.addStock(1);
  s.addStock(2);
  s.addProduct({ guid: "g-kav", name: "Coffee", variants: [{ code: "KAV-1", minStockSupply: 2, amounts: { 1: 3, 2: 2 } }] });
  s.addProduct({
    guid: "g-tea",
    name: "Tea",
    variants: [
      { code: "26/BIL", name: "White", minStockSupply: 1, amounts: { 1: 0 } },
      { code: "26/CER", name: "Black", minStockSupply: 1, amounts: { 1: 4 } },
    ],
  });
  return s;
}

function stack(s: ShoptetStandin | null, withToken: boolean) {
  const db = openDatabase(tempDbPath());
  open.push(db);
  const changes: StockChange[] = [];
  const client = new ShoptetClient({
    baseUrl: s?.url ?? "http://127.0.0.1:9",
    tokenFor: () => (withToken ? s?.token : undefined),
    clock: systemClock,
    retryBaseMs: 1,
  });
  const worker = createStockWorker({
    db,
    clock: systemClock,
    logger: silentLogger(),
    client,
    onStockChanges: (c) => changes.push(...c),
    options: { movementReadGapMs: 0, pollIntervalMs: 5 },
  });
  const events = new SqliteEventStore(db);
  const T = Date.parse("2026-03-02T10:00:00Z");
  /** Stores a beta event created `sec` seconds after T (delivery order is the call order). */
  const deliver = (event: string, code: string, sec: number) => {
    events.insertBatch([webhookEvent(ESHOP, event, code, T + sec * 1000, Date.now())]);
  };
  return { db, worker, changes, deliver };
}

describe("beta stock events with an API token", () => {
  it("confirms the level through the API, so a late soldOut does not undo a newer inStock", async () => {
    const s = await standin();
    const { db, worker, changes, deliver } = stack(s, true);
    // Real order: sold out at :10, back in stock at :20 (5 units). Shoptet delivers inStock first.
    deliver("stock:inStock", "KAV-1", 20);
    await worker.runUntilIdle();
    deliver("stock:soldOut", "KAV-1", 10);
    await worker.runUntilIdle();

    expect(getProduct(db, ESHOP, "KAV-1")).toMatchObject({ level: "ok", quantity: 5, perStock: { "1": 3, "2": 2 }, estimated: false });
    // Each job asked Shoptet: first by code, then by the GUID it learned.
    expect(s.count("GET /api/products/code/{code}")).toBe(1);
    expect(s.count("GET /api/products/{guid}")).toBe(1);
    expect(changes).toHaveLength(1); // the late soldOut changed nothing
    expect(changes[0]).toMatchObject({ previous: null, current: { level: "ok", quantity: 5 }, cause: { event: "stock:inStock" } });
  });

  it("follows Shoptet when the stock really sold out", async () => {
    const s = await standin();
    const { db, worker, changes, deliver } = stack(s, true);
    deliver("stock:inStock", "KAV-1", 20);
    await worker.runUntilIdle();
    s.move(1, "KAV-1", -3);
    s.move(2, "KAV-1", -2);
    deliver("stock:soldOut", "KAV-1", 30);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "KAV-1")).toMatchObject({ level: "soldOut", quantity: 0 });
    expect(changes.at(-1)).toMatchObject({ previous: { level: "ok" }, current: { level: "soldOut" }, cause: { event: "stock:soldOut" } });
  });

  it("handles a product code with '/' (productCodes lookup once, then by GUID)", async () => {
    const s = await standin();
    const { db, worker, deliver } = stack(s, true);
    deliver("stock:soldOut", "26/BIL", 5);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")).toMatchObject({ name: "Tea (White)", level: "soldOut", quantity: 0, minStockSupply: 1 });
    // The sibling variant came with the same product detail.
    expect(getProduct(db, ESHOP, "26/CER")).toMatchObject({ name: "Tea (Black)", level: "ok", quantity: 4 });
    expect(s.count("GET /api/products")).toBe(1);
    expect(s.count("GET /api/products/{guid}")).toBe(1);
    expect(s.count("GET /api/products/code/{code}")).toBe(0);

    s.move(1, "26/BIL", 1);
    deliver("stock:inStock", "26/BIL", 9);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")).toMatchObject({ level: "low", quantity: 1 });
    expect(s.count("GET /api/products")).toBe(1); // the GUID was remembered
    expect(s.count("GET /api/products/{guid}")).toBe(2);
  });

  it("refreshes minStockSupply on product:update and signals the level change", async () => {
    const s = await standin();
    const { db, worker, changes, deliver } = stack(s, true);
    deliver("stock:inStock", "KAV-1", 1);
    await worker.runUntilIdle();
    s.setMinStockSupply("KAV-1", 10);
    deliver("product:update", "g-kav", 2);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "KAV-1")).toMatchObject({ level: "low", minStockSupply: 10 });
    expect(changes.at(-1)).toMatchObject({ previous: { level: "ok" }, current: { level: "low" }, cause: { event: "product:update" } });
    s.setMinStockSupply("KAV-1", 1);
    deliver("productVariant:update", "KAV-1", 3);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "KAV-1")?.level).toBe("ok");
    expect(changes.at(-1)?.cause.event).toBe("productVariant:update");
  });
});

describe("beta stock events without an API token", () => {
  it("trusts the newest event, ignores older ones delivered late, and never calls the API", async () => {
    const { db, worker, changes, deliver } = stack(null, false);
    deliver("stock:soldOut", "26/BIL", 10);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")).toMatchObject({ level: "soldOut", quantity: 0, estimated: true });

    deliver("stock:inStock", "26/BIL", 30);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")?.level).toBe("ok");

    deliver("stock:soldOut", "26/BIL", 20); // older than the inStock: ignored
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")?.level).toBe("ok");

    deliver("stock:minStockSupplyReached", "26/BIL", 40);
    await worker.runUntilIdle();
    expect(getProduct(db, ESHOP, "26/BIL")?.level).toBe("low");

    expect(changes.map((c) => c.current.level)).toEqual(["soldOut", "ok", "low"]);
    expect(changes.every((c) => c.current.estimated === true)).toBe(true);
  });

  it("skips movement reads with a note saying which variable to set", async () => {
    const { db, worker } = stack(null, false);
    new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:movement", "1", Date.now())]);
    await worker.runUntilIdle();
    const job = db.prepare("SELECT status, last_error FROM jobs").get() as { status: string; last_error: string };
    expect(job.status).toBe("done");
    expect(job.last_error).toContain(`SHOPTET_API_TOKEN_${ESHOP}`);
  });
});
