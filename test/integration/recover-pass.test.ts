import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { recoverEshop } from "../../src/recovery/recover-eshop.js";
import { createRecoveryService } from "../../src/recovery/recovery-service.js";
import { readSettings } from "../../src/config/env.js";
import { systemClock } from "../../src/shared/clock.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { formatShoptetTime } from "../../src/shoptet/shoptet-time.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { captureLogger } from "../helpers/outbox-fixtures.js";

const ESHOP = 222651;
const NOTIFICATIONS = "GET /api/webhooks/notifications";
const closers = closeAfterEach();

async function rig() {
  const shoptet = await startShoptetStandin({ eshopId: ESHOP, token: "shoptet-secret-token-2" });
  const db = openDatabase(tempDbPath());
  closers.push(() => shoptet.close(), () => db.close());
  const api = new ShoptetClient({ baseUrl: shoptet.url, tokenFor: () => shoptet.token, clock: systemClock, maxAttempts: 1 });
  return { shoptet, db, api };
}

let seq = 0;
/** `n` failed order:create notifications, created in the last half hour, each a different order. */
function failOrders(shoptet: ShoptetStandin, n: number, secondsAgo = 1800): void {
  const base = Math.floor(Date.now() / 1000 - secondsAgo) * 1000;
  for (let i = 0; i < n; i++) {
    seq++;
    shoptet.addNotification({ event: "order:create", eventInstance: `O${seq}`, eventCreated: formatShoptetTime(base + (seq % 1000) * 1000) });
  }
}

const count = (db: ReturnType<typeof openDatabase>, sql: string) => (db.prepare(sql).get() as { n: number }).n;

describe("a recovery pass", () => {
  it("reads every page even while new notifications push the log along, and writes at most 200 rows per transaction", async () => {
    const { shoptet, db, api } = await rig();
    failOrders(shoptet, 1200);
    // While page 2 is asked for, 30 new failures are logged (they list first: page 2 now starts
    // with 30 items page 1 already had).
    let held = false;
    const chunks: number[] = [];
    const result = await recoverEshop(
      {
        db,
        api,
        clock: systemClock,
        onStored: (rows) => chunks.push(rows),
        onProgress: () => {
          if (held) return;
          held = true;
          const hold = shoptet.hold(NOTIFICATIONS);
          void hold.arrived.then(() => {
            failOrders(shoptet, 30, 60);
            hold.release();
          });
        },
      },
      ESHOP,
    );
    expect(result).toMatchObject({ taken: 1200, stored: 1200, alreadyStored: 0, unusable: 0 });
    expect(count(db, "SELECT count(*) AS n FROM events WHERE source = 'recovered'")).toBe(1200);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(200);
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(1200);
    const pages = shoptet.requests.filter((r) => r.route === NOTIFICATIONS).map((r) => [r.query.get("status"), r.query.get("page"), r.query.get("itemsPerPage")]);
    expect(pages).toEqual([
      ["failed", "1", "500"],
      ["failed", "2", "500"],
      ["failed", "3", "500"],
      ["new", "1", "500"],
    ]);

    // The next pass reads the last hour again: the 30 newcomers are stored, the rest were already.
    const next = await recoverEshop({ db, api, clock: systemClock }, ESHOP);
    expect(next).toMatchObject({ taken: 1230, stored: 30, alreadyStored: 1200 });
    expect(count(db, "SELECT count(*) AS n FROM events")).toBe(1230);
    expect(db.prepare("SELECT event, n FROM recovered_event_counts").all()).toEqual([{ event: "order:create", n: 1230 }]);
  });

  it("that fails halfway keeps its cursor; the next pass reads the same span and stores the rest", async () => {
    const { shoptet, db, api } = await rig();
    failOrders(shoptet, 700);
    shoptet.failNext(NOTIFICATIONS, "pass", { status: 400 });
    const failed = await recoverEshop({ db, api, clock: systemClock }, ESHOP).catch((e: unknown) => e);
    expect(failed).toMatchObject({ status: 400 });
    expect(count(db, "SELECT count(*) AS n FROM events")).toBe(500);
    expect(db.prepare("SELECT * FROM recovery_cursors").all()).toEqual([]);

    const again = await recoverEshop({ db, api, clock: systemClock }, ESHOP);
    expect(again).toMatchObject({ taken: 700, stored: 200, alreadyStored: 500 });
    const cursor = db.prepare("SELECT from_ms, recovered FROM recovery_cursors WHERE eshop_id = ?").get(ESHOP) as { from_ms: number; recovered: number };
    expect(cursor.recovered).toBe(200);
    expect(cursor.from_ms).toBeGreaterThan(Date.now() - 3_700_000); // an hour behind now, not 24 h
  });
});

describe("the daemon's recovery service", () => {
  it("logs a failing e-shop without its token, never throws, and succeeds at a later pass", async () => {
    const { shoptet, db } = await rig();
    failOrders(shoptet, 3);
    const { logger, text } = captureLogger();
    const settings = readSettings({ STOCKWATCH_DB: ":memory:", SHOPTET_API_TOKEN_222651: shoptet.token, SHOPTET_API_URL: shoptet.url });
    let wakes = 0;
    const api = new ShoptetClient({ baseUrl: shoptet.url, tokenFor: (id) => settings.apiTokens.get(id), clock: systemClock, maxAttempts: 1 });
    const service = createRecoveryService({ db, clock: systemClock, logger, api, settings, secrets: [shoptet.token], wake: () => wakes++ });

    shoptet.failNext(NOTIFICATIONS, { status: 500, body: { data: null, errors: [{ errorCode: "x", message: `bad token ${shoptet.token}` }] } });
    expect(await service.runOnce()).toEqual([]);
    expect(text()).toContain("recovery of missed webhooks failed; trying again at the next pass");
    expect(text()).not.toContain(shoptet.token);
    expect(wakes).toBe(0);

    const [result] = await service.runOnce();
    expect(result).toMatchObject({ eshopId: ESHOP, taken: 3, stored: 3 });
    expect(wakes).toBe(1);
    expect(text()).toMatch(/recovered 3 of 3 notifications for e-shop 222651 \(0 already stored\)/);
  });

  it("with only the shared token on a fresh database, asks Shoptet which e-shop the token is for", async () => {
    const { shoptet, db } = await rig();
    failOrders(shoptet, 2);
    const settings = readSettings({ STOCKWATCH_DB: ":memory:", SHOPTET_API_TOKEN: shoptet.token, SHOPTET_API_URL: shoptet.url });
    const api = new ShoptetClient({ baseUrl: shoptet.url, tokenFor: () => settings.apiToken, clock: systemClock, maxAttempts: 1 });
    const service = createRecoveryService({ db, clock: systemClock, logger: captureLogger().logger, api, settings, secrets: [], wake: () => undefined });
    expect(await service.runOnce()).toMatchObject([{ eshopId: ESHOP, stored: 2 }]);
    expect(shoptet.count("GET /api/eshop")).toBe(1);
    // From then on the stored events (and the cursor) name the e-shop.
    expect(await service.runOnce()).toMatchObject([{ eshopId: ESHOP, stored: 0, alreadyStored: 2 }]);
    expect(shoptet.count("GET /api/eshop")).toBe(1);
  });

  it("without any API token does nothing and says so once", async () => {
    const { db, shoptet } = await rig();
    const { logger, text } = captureLogger();
    const settings = readSettings({ STOCKWATCH_DB: ":memory:" });
    const api = new ShoptetClient({ baseUrl: shoptet.url, tokenFor: () => undefined, clock: systemClock });
    const service = createRecoveryService({ db, clock: systemClock, logger, api, settings, secrets: [], wake: () => undefined });
    expect(await service.runOnce()).toEqual([]);
    expect(await service.runOnce()).toEqual([]);
    expect(text().match(/recovery of missed webhooks is off/g)).toHaveLength(1);
    expect(shoptet.requests).toEqual([]);
  });
});
