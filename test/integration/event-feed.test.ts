import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import type { FeedEvent } from "../../src/events/cursor-store.js";
import { createEventFeed } from "../../src/events/event-feed.js";
import { silentLogger } from "../../src/shared/logger.js";
import { SqliteCursorStore } from "../../src/store/sqlite/cursor-store.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { incoming } from "../contract/event-store.contract.js";
import { tempDbPath } from "../helpers/temp-dir.js";

// What the feed does with its cursor (once, in order, across restarts, not past a failed batch)
// is in the cursor store's contract: test/contract/cursor-store.contract.ts and sqlite/cursor-store.test.ts.
describe("event feed", () => {
  it("keeps passing while wakes come faster than its delay (a steady stream of webhooks)", async () => {
    const db = openDatabase(tempDbPath());
    const events = new SqliteEventStore(db);
    const seen: FeedEvent[] = [];
    const feed = createEventFeed({ cursors: new SqliteCursorStore(db), name: "t", logger: silentLogger(), handle: (e) => seen.push(...e), pollMs: 60_000 });
    feed.start();
    await new Promise((r) => setTimeout(r, 20)); // the first pass, with nothing stored yet
    const started = Date.now();
    while (seen.length === 0 && Date.now() - started < 1_000) {
      events.insertBatch([incoming("order:create", `o-${Math.random()}`, 1000)]);
      feed.wake();
      await new Promise((r) => setTimeout(r, 2));
    }
    await feed.stop();
    expect(seen.length).toBeGreaterThan(0);
    db.close();
  });
});
