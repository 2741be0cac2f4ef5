import { describe, expect, it } from "vitest";
import { openDatabase } from "../../../src/db/open-database.js";
import type { FeedEvent } from "../../../src/events/cursor-store.js";
import { createEventFeed } from "../../../src/events/event-feed.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { SqliteCursorStore } from "../../../src/store/sqlite/cursor-store.js";
import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { tempDbPath } from "../../helpers/temp-dir.js";
import { cursorStoreContract } from "../cursor-store.contract.js";
import { incoming } from "../event-store.contract.js";
import { sqliteStore } from "../store-harness.js";

cursorStoreContract(
  "sqlite",
  sqliteStore((db) => ({ cursors: new SqliteCursorStore(db), events: new SqliteEventStore(db) })),
);

function store(events: SqliteEventStore, n: number) {
  events.insertBatch(Array.from({ length: n }, (_, i) => incoming("order:create", `o-${Math.random()}-${i}`, 1000 + i)));
}

describe("SQLite cursors", () => {
  it("hand every event over once, in order, across batches and restarts", () => {
    const path = tempDbPath();
    const db = openDatabase(path);
    store(new SqliteEventStore(db), 7);
    const seen: FeedEvent[] = [];
    createEventFeed({ cursors: new SqliteCursorStore(db), name: "t", logger: silentLogger(), handle: (e) => seen.push(...e), batchSize: 3 }).runUntilIdle();
    expect(seen.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    store(new SqliteEventStore(db), 2);
    db.close();
    const db2 = openDatabase(path);
    const again: FeedEvent[] = [];
    createEventFeed({ cursors: new SqliteCursorStore(db2), name: "t", logger: silentLogger(), handle: (e) => again.push(...e) }).runUntilIdle();
    expect(again.map((e) => e.id)).toEqual([8, 9]);
    expect(again[0]).toMatchObject({ event: "order:create", eshopId: 222651, receivedAt: 1000 });
    db2.close();
  });

  it("do not advance past a batch whose handler failed, and roll back its writes", () => {
    const db = openDatabase(tempDbPath());
    store(new SqliteEventStore(db), 2);
    db.exec("CREATE TABLE side (id INTEGER)");
    let fail = true;
    const feed = createEventFeed({
      cursors: new SqliteCursorStore(db),
      name: "t",
      logger: silentLogger(),
      handle: (events) => {
        for (const e of events) db.prepare("INSERT INTO side VALUES (?)").run(e.id);
        if (fail) throw new Error("boom");
      },
    });
    expect(() => feed.runUntilIdle()).toThrow("boom");
    expect(db.prepare("SELECT count(*) AS n FROM side").get()).toEqual({ n: 0 });
    fail = false;
    feed.runUntilIdle();
    expect(db.prepare("SELECT id FROM side ORDER BY id").all()).toEqual([{ id: 1 }, { id: 2 }]);
    db.close();
  });
});
