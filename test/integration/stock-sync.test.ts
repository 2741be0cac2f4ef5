import { afterEach, describe, expect, it } from "vitest";
import { runSync } from "../../src/cli/commands/sync.js";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { systemClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { seedFromApi } from "../../src/stock/seed-from-api.js";
import { getProduct, listProducts } from "../helpers/stock-reads.js";
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
  s.addProduct({ guid: "g-kav", name: "Coffee", variants: [{ code: "KAV-1", minStockSupply: 5, amounts: { 1: 3, 2: 10 } }] });
  s.addProduct({
    guid: "g-tea",
    name: "Tea",
    variants: [
      { code: "26/BIL", name: "White", minStockSupply: 2, amounts: { 1: 2 } },
      { code: "26/CER", name: "Black", minStockSupply: null, amounts: { 2: 0 } },
    ],
  });
  s.move(1, "KAV-1", 1); // history before the sync
  return s;
}

function setup(s: ShoptetStandin) {
  const db = openDatabase(tempDbPath());
  open.push(db);
  const client = new ShoptetClient({ baseUrl: s.url, tokenFor: (id) => (id === ESHOP ? s.token : undefined), clock: systemClock, retryBaseMs: 1 });
  return { db, client, settings: { apiToken: undefined, apiTokens: new Map([[ESHOP, s.token]]) } };
}

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { sink: { isTTY, write: (t: string) => written.push(t) }, written };
}

describe("stockwatch sync", () => {
  it("seeds every product from all warehouses without signalling changes", async () => {
    const s = await standin();
    const { db, client, settings } = setup(s);
    const { sink: progress, written } = sink(false);
    const summary = await runSync({ db, clock: systemClock, client, settings, logger: silentLogger() }, progress);

    expect(summary).toMatch(/^synced e-shop 222651: 2 warehouses, 3 products \(1 sold out, 1 low, 1 ok\), 3 new, 0 corrected, 2 product details read, \d+ API calls in [\d.]+ s; no alerts sent$/);
    expect(written).toEqual([]); // quiet when stderr is not a terminal
    expect(getProduct(db, ESHOP, "KAV-1")).toMatchObject({ name: "Coffee", quantity: 14, minStockSupply: 5, level: "ok", perStock: { "1": 4, "2": 10 } });
    expect(getProduct(db, ESHOP, "26/BIL")).toMatchObject({ name: "Tea (White)", quantity: 2, level: "low" });
    expect(getProduct(db, ESHOP, "26/CER")).toMatchObject({ quantity: 0, level: "soldOut", minStockSupply: null });
    expect(s.count("GET /api/products/{guid}")).toBe(2); // one detail per product, not per variant
    // No history rows for first sightings, and cursors at each warehouse's newest movement.
    expect(db.prepare("SELECT count(*) AS n FROM stock_level_changes").get()).toEqual({ n: 0 });
    expect(db.prepare("SELECT stock_id, last_id FROM stock_cursors ORDER BY stock_id").all()).toEqual([
      { stock_id: 1, last_id: 1001 },
      { stock_id: 2, last_id: 0 },
    ]);
  });

  it("shows a progress counter on a terminal", async () => {
    const s = await standin();
    const { db, client, settings } = setup(s);
    const { sink: progress, written } = sink(true);
    await runSync({ db, clock: systemClock, client, settings }, progress);
    expect(written.some((w) => /\r.*product details: \d+\/2/.test(w))).toBe(true);
  });

  it("hands over to movement reads at the cursor: only later movements are applied, and signalled", async () => {
    const s = await standin();
    const { db, client, settings } = setup(s);
    await runSync({ db, clock: systemClock, client, settings }, sink(false).sink);
    const changes: StockChange[] = [];
    const worker = createStockWorker({ db, clock: systemClock, logger: silentLogger(), client, onStockChanges: (c) => changes.push(...c), options: { movementReadGapMs: 0 } });
    s.move(1, "KAV-1", -10); // 14 → 4: low
    new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:movement", "1", Date.now())]);
    await worker.runUntilIdle();
    expect(s.requests.filter((r) => r.route === "GET /api/stocks/{id}/movements")[0]?.query.get("lastId")).toBe("1001");
    expect(db.prepare("SELECT count(*) AS n FROM stock_movements").get()).toEqual({ n: 1 });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ previous: { level: "ok", quantity: 14 }, current: { level: "low", quantity: 4 } });
  });

  it("repairs drifted state, records the level change in history, still without signalling", async () => {
    const s = await standin();
    const { db, client, settings } = setup(s);
    await runSync({ db, clock: systemClock, client, settings }, sink(false).sink);
    s.setAmount(1, "KAV-1", 0);
    s.setAmount(2, "KAV-1", 0);
    const summary = await runSync({ db, clock: systemClock, client, settings }, sink(false).sink);
    expect(summary).toContain("0 new, 1 corrected");
    expect(summary).toContain("0 product details read"); // fresh details are not re-read
    expect(listProducts(db, { level: "soldOut" }).map((p) => p.code)).toEqual(["26/CER", "KAV-1"]);
    expect(db.prepare("SELECT code, from_level, to_level, cause_event FROM stock_level_changes").all()).toEqual([
      { code: "KAV-1", from_level: "ok", to_level: "soldOut", cause_event: "sync" },
    ]);
  });

  it("pages through more than 1000 supplies of a warehouse", async () => {
    const s = await standin();
    for (let i = 0; i < 1200; i++) s.addProduct({ guid: `g-${i}`, name: `P${i}`, variants: [{ code: `P-${i}`, amounts: { 1: i % 3 } }] });
    const { db, client } = setup(s);
    const result = await seedFromApi({ db, clock: systemClock, client, eshopIds: [ESHOP], details: "none" });
    expect(result.products).toBe(1203);
    expect(s.requests.filter((r) => r.route === "GET /api/stocks/{id}/supplies" && r.url.includes("/stocks/1/")).map((r) => r.query.get("page"))).toEqual(["1", "2"]);
    expect(result.levels.soldOut).toBe(400 + 1);
  });

  it("tells the operator what to set when no e-shop has a token", async () => {
    const s = await standin();
    const { db, client } = setup(s);
    await expect(
      runSync({ db, clock: systemClock, client, settings: { apiToken: undefined, apiTokens: new Map() } }, sink(false).sink),
    ).rejects.toThrow(/SHOPTET_API_TOKEN/);
  });

  it("finds the e-shop of a shared token through /api/eshop on a fresh install", async () => {
    const s = await standin();
    const { db } = setup(s);
    const client = new ShoptetClient({ baseUrl: s.url, tokenFor: () => s.token, clock: systemClock });
    const summary = await runSync({ db, clock: systemClock, client, settings: { apiToken: s.token, apiTokens: new Map() } }, sink(false).sink);
    expect(summary).toContain(`e-shop ${ESHOP}`);
    expect(s.count("GET /api/eshop")).toBe(1);
  });
});
