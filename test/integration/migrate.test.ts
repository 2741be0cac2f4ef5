import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "../../src/db/migrate.js";
import { migrations } from "../../src/db/migrations/index.js";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { toIncomingEvent } from "../../src/receiver/accepted-webhook.js";
import { createHash } from "node:crypto";
import { tempDbPath } from "../helpers/temp-dir.js";

describe("migrations", () => {
  it("apply once, in order, are recorded, and a second run changes nothing", () => {
    const path = tempDbPath();
    const db = openDatabase(path, { migrate: false });
    expect(migrate(db)).toEqual(migrations.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    const recorded = db.prepare("SELECT version FROM schema_migrations ORDER BY version").all();
    expect(recorded).toEqual(migrations.map((m) => ({ version: m.version })));
    db.close();
  });

  it("set WAL and synchronous=FULL", () => {
    const db = openDatabase(tempDbPath());
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("synchronous", { simple: true })).toBe(2);
    db.close();
  });

  it("roll back a failing migration completely", () => {
    const db = new Database(tempDbPath());
    const bad = [{ version: 1, name: "bad", sql: "CREATE TABLE t (x); INSERT INTO nope VALUES (1);" }];
    expect(() => migrate(db, bad)).toThrow(/nope/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").all()).toEqual([]);
    expect(db.prepare("SELECT count(*) AS n FROM schema_migrations").get()).toEqual({ n: 0 });
    db.close();
  });

  it("0007 gives events stored before it the same dedupe key a retry computes now", () => {
    const db = openDatabase(tempDbPath(), { migrate: false });
    migrate(db, migrations.filter((m) => m.version < 7));
    const envelopes = [
      { eshopId: 222651, event: "stock:movement", eventInstance: "1", eventCreated: "2026-11-27T10:00:00+0100" },
      { eshopId: 222651, event: "order:create", eventInstance: "2026000123", eventCreated: "not a date" },
    ];
    const insert = db.prepare(
      `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at, dedupe_key, known, raw)
       VALUES (?, ?, ?, ?, ?, 0, ?, 1, x'7b7d')`,
    );
    for (const e of envelopes) {
      // The key as versions before 0007 computed it: the bare SHA-256 of the four fields.
      const old = createHash("sha256").update(`${e.eshopId}\u0000${e.event}\u0000${e.eventInstance}\u0000${e.eventCreated}`).digest();
      const ms = Date.parse(e.eventCreated);
      insert.run(e.eshopId, e.event, e.eventInstance, e.eventCreated, Number.isFinite(ms) ? ms : null, old);
    }
    migrate(db);
    const repo = new SqliteEventStore(db);
    const retried = repo.insertBatch(
      envelopes.map((e) => toIncomingEvent({ raw: Buffer.from(JSON.stringify(e)), receivedAt: 1, envelope: e })),
    );
    expect(retried.map((r) => r.duplicate)).toEqual([true, true]);
    expect(db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 2 });
    db.close();
  });
});
