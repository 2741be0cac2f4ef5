import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { migrations } from "../../src/db/migrations/index.js";
import { openDatabase } from "../../src/db/open-database.js";
import { ConfigError } from "../../src/shared/errors.js";
import { runCli } from "../../src/cli/run-cli.js";
import { startTestApp } from "../helpers/test-app.js";
import { tempDbPath } from "../helpers/temp-dir.js";

/** A database last migrated by a newer stockwatch: refused at start, untouched. */

function databaseFromTheFuture(): string {
  const path = tempDbPath();
  openDatabase(path).close();
  const db = new Database(path);
  db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from a newer stockwatch', 1)").run();
  db.close();
  return path;
}

function snapshot(path: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return {
      migrations: db.prepare("SELECT * FROM schema_migrations ORDER BY version").all(),
      schema: db.prepare("SELECT type, name, sql FROM sqlite_master ORDER BY name").all(),
      cursors: db.prepare("SELECT * FROM cursors ORDER BY name").all(),
    };
  } finally {
    db.close();
  }
}

describe("a database whose schema is newer than the code", () => {
  it("is refused by openDatabase with both versions and what to do, and nothing is changed", () => {
    const path = databaseFromTheFuture();
    const before = snapshot(path);
    const bytes = readFileSync(path);
    let error: unknown;
    try {
      openDatabase(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain("schema version 999");
    expect(message).toContain(`(${migrations.length})`);
    expect(message).toMatch(/Upgrade stockwatch/);
    expect(message).toMatch(/restore a backup/);
    expect(message).toContain(path);
    expect(snapshot(path)).toEqual(before);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it("stops the daemon's start and a CLI command with that one line", async () => {
    const path = databaseFromTheFuture();
    const before = snapshot(path);
    await expect(startTestApp({}, { dbPath: path })).rejects.toThrow(/schema version 999, newer than this stockwatch knows/);
    const err: string[] = [];
    const code = await runCli(["deliveries", "list"], { STOCKWATCH_DB: path }, { out: { write: () => true }, err: { write: (t: string) => err.push(t) } });
    expect(code).not.toBe(0);
    expect(err.join("")).toMatch(/^stockwatch: the database .* has schema version 999, newer than this stockwatch knows/);
    expect(snapshot(path)).toEqual(before);
  });

  it("the same version as the code starts as before", () => {
    const path = tempDbPath();
    openDatabase(path).close();
    expect(() => openDatabase(path).close()).not.toThrow();
  });
});
