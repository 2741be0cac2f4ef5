import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { migrations } from "../../src/db/migrations/index.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { systemClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { getProduct } from "../helpers/stock-reads.js";
import { createStockWorker } from "../../src/stock/stock-worker.js";
import { webhookEvent } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

/**
 * Migration 0011: a database where a `stock:soldOut` dated 9999 was stored (and applied, without an
 * API token) before the receiver checked eventCreated. After the upgrade the product is no longer
 * frozen: the next real beta event is applied.
 */

const ESHOP = 222651;
const open: Db[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function worker(db: Db) {
  const client = new ShoptetClient({ baseUrl: "http://127.0.0.1:9", tokenFor: () => undefined, clock: systemClock, retryBaseMs: 1 });
  return createStockWorker({ db, clock: systemClock, logger: silentLogger(), client, onStockChanges: () => {}, options: { movementReadGapMs: 0, pollIntervalMs: 5 } });
}

describe("migration 0011 (untrusted event times)", () => {
  it("re-orders events stored with a far-future eventCreated and unfreezes the product they set", async () => {
    const db = openDatabase(tempDbPath(), { migrate: false });
    open.push(db);
    migrate(db, migrations.filter((m) => m.version < 11));
    const received = Date.parse("2026-11-27T10:00:00.400Z");
    const forgedMs = Date.parse("9999-12-31T22:59:59Z");
    // As the receiver stored it before: Shoptet's time as the ordering time, unchecked.
    const forged = webhookEvent(ESHOP, "stock:soldOut", "KAV-1", forgedMs, received);
    const plain = webhookEvent(ESHOP, "order:create", "2026000123", received - 5000, received);
    new SqliteEventStore(db).insertBatch([forged, plain]);
    // The product as the no-token worker left it: sold out, with the forged time as its bar.
    db.prepare(
      `INSERT INTO stock_products (eshop_id, code, quantity_milli, level, level_since, estimated, level_event_ms, updated_at)
       VALUES (?, 'KAV-1', 0, 'soldOut', ?, 1, ?, ?)`,
    ).run(ESHOP, received + 200, forgedMs, received + 200);
    db.prepare("UPDATE jobs SET status = 'done'").run();

    expect(migrate(db)).toEqual(migrations.filter((m) => m.version >= 11).map((m) => m.version)); // 11 and any later ones

    const events = db.prepare("SELECT event, event_created, event_created_ms FROM events ORDER BY id").all();
    expect(events).toEqual([
      { event: "stock:soldOut", event_created: forged.eventCreated, event_created_ms: Date.parse("2026-11-27T10:00:00Z") },
      { event: "order:create", event_created: plain.eventCreated, event_created_ms: plain.eventCreatedMs }, // untouched
    ]);
    expect(db.prepare("SELECT level_event_ms FROM stock_products").get()).toEqual({ level_event_ms: Date.parse("2026-11-27T10:00:00Z") });
    // A retry of the forged notification is still the same one.
    expect(new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:soldOut", "KAV-1", forgedMs, Date.now())])[0]).toMatchObject({ duplicate: true });

    // The next real event is applied.
    new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:inStock", "KAV-1", received + 60_000, received + 61_000)]);
    await worker(db).runUntilIdle();
    expect(getProduct(db, ESHOP, "KAV-1")).toMatchObject({ level: "ok" });
  });
});
