import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { EventRepo } from "../../src/events/event-repo.js";
import { createEventFeed, type FeedEvent } from "../../src/events/event-feed.js";
import { toIncomingEvent } from "../../src/receiver/accepted-webhook.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { envelope } from "../helpers/webhooks.js";

function store(repo: EventRepo, n: number) {
  repo.insertBatch(
    Array.from({ length: n }, (_, i) => {
      const e = envelope("order:create", `o-${Math.random()}-${i}`);
      return toIncomingEvent({ raw: Buffer.from(JSON.stringify(e)), receivedAt: 1000 + i, envelope: e });
    }),
  );
}

describe("event feed", () => {
  it("hands every event over once, in order, across batches and restarts", () => {
    const path = tempDbPath();
    const db = openDatabase(path);
    const repo = new EventRepo(db);
    store(repo, 7);
    const seen: FeedEvent[] = [];
    createEventFeed({ db, name: "t", logger: silentLogger(), handle: (e) => seen.push(...e), batchSize: 3 }).runUntilIdle();
    expect(seen.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    store(repo, 2);
    db.close();
    const db2 = openDatabase(path);
    const again: FeedEvent[] = [];
    createEventFeed({ db: db2, name: "t", logger: silentLogger(), handle: (e) => again.push(...e) }).runUntilIdle();
    expect(again.map((e) => e.id)).toEqual([8, 9]);
    expect(again[0]).toMatchObject({ event: "order:create", eshopId: 222651, receivedAt: 1000 });
    db2.close();
  });

  it("does not advance past a batch whose handler failed, and rolls back its writes", () => {
    const db = openDatabase(tempDbPath());
    const repo = new EventRepo(db);
    store(repo, 2);
    db.exec("CREATE TABLE side (id INTEGER)");
    let fail = true;
    const feed = createEventFeed({
      db,
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

  it("keeps passing while wakes come faster than its delay (a steady stream of webhooks)", async () => {
    const db = openDatabase(tempDbPath());
    const repo = new EventRepo(db);
    const seen: FeedEvent[] = [];
    const feed = createEventFeed({ db, name: "t", logger: silentLogger(), handle: (e) => seen.push(...e), pollMs: 60_000 });
    feed.start();
    await new Promise((r) => setTimeout(r, 20)); // the first pass, with nothing stored yet
    const started = Date.now();
    while (seen.length === 0 && Date.now() - started < 1_000) {
      store(repo, 1);
      feed.wake();
      await new Promise((r) => setTimeout(r, 2));
    }
    await feed.stop();
    expect(seen.length).toBeGreaterThan(0);
    db.close();
  });
});
