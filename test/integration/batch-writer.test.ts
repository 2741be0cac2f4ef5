import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import type { AcceptedWebhook } from "../../src/receiver/accepted-webhook.js";
import { SqliteBatchWriter, type SqliteBatchWriterOptions } from "../../src/receiver/batch-writer.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { envelope } from "../helpers/webhooks.js";

const closers = closeAfterEach();

function accepted(instance: string): AcceptedWebhook {
  const e = envelope("order:create", instance);
  return { raw: Buffer.from(JSON.stringify(e)), receivedAt: Date.now(), envelope: e };
}

/** The daemon's setup: a connection that fails at once on a taken lock, and another process holding it. */
function rig(options: SqliteBatchWriterOptions) {
  const path = tempDbPath();
  const db: Db = openDatabase(path);
  db.pragma("busy_timeout = 0");
  const other = new Database(path);
  closers.push(async () => {
    other.close();
    db.close();
  });
  const count = () => (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  return { writer: new SqliteBatchWriter(new SqliteEventStore(db), options), other, count };
}

describe("webhook batches and the write lock", () => {
  it("wait for a taken lock without blocking the thread, then commit", async () => {
    let waits = 0;
    let committed = 0;
    const { writer, other, count } = rig({ busyTimeoutMs: 5_000, onLockWait: () => waits++, onCommitted: () => committed++ });
    other.exec("BEGIN IMMEDIATE");
    const writing = writer.write([accepted("A"), accepted("B")]);
    // The event loop keeps turning while the batch waits: a timer fires, and then the lock is let go.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(waits).toBeGreaterThan(0);
    expect(committed).toBe(0);
    other.exec("COMMIT");
    const results = await writing;
    expect(results).toEqual([
      { id: 1, duplicate: false },
      { id: 2, duplicate: false },
    ]);
    expect(committed).toBe(1);
    expect(count()).toBe(2);
  });

  it("give up after busyTimeoutMs with a reason the operator can act on, storing nothing", async () => {
    const failures: string[] = [];
    const { writer, other, count } = rig({ busyTimeoutMs: 50, onFailure: (m) => failures.push(m) });
    other.exec("BEGIN IMMEDIATE");
    await expect(writer.write([accepted("A")])).rejects.toThrow(/write lock too long/);
    other.exec("ROLLBACK");
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(/SQLITE_BUSY/);
    expect(count()).toBe(0);
  });

  it("fail the batch with the disk's error code when the -wal flush fails", async () => {
    let flushes = 0;
    const failures: string[] = [];
    const { writer } = rig({
      flush: async () => {
        flushes++;
        throw Object.assign(new Error("input/output error"), { code: "EIO" });
      },
      onFailure: (m) => failures.push(m),
    });
    await expect(writer.write([accepted("A")])).rejects.toThrow("the database's -wal file could not be flushed to disk (EIO)");
    expect(flushes).toBe(1);
    expect(failures).toEqual([expect.stringContaining("check the disk holding STOCKWATCH_DB")]);
  });
});
