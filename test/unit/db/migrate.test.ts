import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { migrate } from "../../../src/db/migrate.js";
import { migrations } from "../../../src/db/migrations/index.js";
import { openDatabase } from "../../../src/db/open-database.js";
import { tempDbPath } from "../../helpers/temp-dir.js";

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
});
