import type { Db } from "../../db/open-database.js";
import { writeTransaction } from "../../db/write-transaction.js";
import type { CursorStore, FeedEvent } from "../../events/cursor-store.js";

/** CursorStore on SQLite: the cursors table, and the events table the feeds read. */
export class SqliteCursorStore implements CursorStore {
  private readonly ensure;
  private readonly getCursor;
  private readonly setCursor;
  private readonly read;

  constructor(private readonly db: Db) {
    this.ensure = db.prepare<[string]>("INSERT INTO cursors (name, position) VALUES (?, 0) ON CONFLICT (name) DO NOTHING");
    this.getCursor = db.prepare<[string], { position: number }>("SELECT position FROM cursors WHERE name = ?");
    this.setCursor = db.prepare<[number, string]>("UPDATE cursors SET position = ? WHERE name = ?");
    this.read = db.prepare<[number, number], FeedEvent>(
      `SELECT id, eshop_id AS eshopId, event, event_instance AS eventInstance,
              event_created_ms AS eventCreatedMs, received_at AS receivedAt
       FROM events WHERE id > ? ORDER BY id LIMIT ?`,
    );
  }

  position(name: string): number {
    this.ensure.run(name);
    return this.getCursor.get(name)?.position ?? 0;
  }

  feedStep(name: string, handle: (events: FeedEvent[]) => void): (limit: number) => number {
    this.ensure.run(name);
    return writeTransaction(this.db, `feed:${name}`, (limit: number): number => {
      const from = this.getCursor.get(name)?.position ?? 0;
      const events = this.read.all(from, limit);
      if (events.length === 0) return 0;
      handle(events);
      this.setCursor.run(events[events.length - 1]!.id, name);
      return events.length;
    });
  }
}
