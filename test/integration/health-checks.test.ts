import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAILURE_STALE_MS, IngestState, livenessChecks, readinessChecks, unwritableFile } from "../../src/http/health-checks.js";
import { FixedClock } from "../../src/shared/clock.js";
import { tempDir } from "../helpers/temp-dir.js";

const BUSY = "database is locked (SQLITE_BUSY): another process held the database's write lock too long (a long CLI command?)";
const FULL = "database or disk is full (SQLITE_FULL): the disk holding STOCKWATCH_DB is full; free space (it recovers by itself)";

function inputs(ingest: IngestState, extra: { unwritable?: string; readError?: string; services?: Record<string, boolean> } = {}) {
  return {
    read: () => {
      if (extra.readError) throw new Error(extra.readError);
    },
    unwritable: () => extra.unwritable,
    ingest,
    services: () => extra.services ?? { stock: true, delivery: true },
  };
}

describe("health checks", () => {
  it("tell a lock wait (readiness only) from a storage failure (both), and forget one when a batch commits", () => {
    const state = new IngestState(new FixedClock(0));
    expect(livenessChecks(inputs(state))).toEqual({ database: true, stock: true, delivery: true });
    state.failed(BUSY);
    expect(livenessChecks(inputs(state)).database).toBe(true);
    expect(readinessChecks(inputs(state)).webhooks).toBe(`the last webhook batch was answered 503: ${BUSY}`);
    state.failed(FULL);
    expect(livenessChecks(inputs(state)).database).toBe(`not writable: ${FULL}`);
    state.committed();
    expect(readinessChecks(inputs(state))).toEqual({ webhooks: true, database: true, engine: true });
  });

  it("a failure with no batch tried since says nothing after a minute (no webhook came to find out)", () => {
    const clock = new FixedClock(1_000);
    const state = new IngestState(clock);
    state.failed(FULL);
    clock.advance(FAILURE_STALE_MS - 1);
    expect(state.lastFailure()?.message).toBe(FULL);
    clock.advance(1);
    expect(state.lastFailure()).toBeUndefined();
  });

  it("name an unreadable database, unwritable files and stopped loops", () => {
    const state = new IngestState(new FixedClock(0));
    expect(livenessChecks(inputs(state, { readError: "disk I/O error" })).database).toBe("not readable: disk I/O error");
    expect(livenessChecks(inputs(state, { unwritable: "/x/db cannot be written (EPERM)" })).database).toBe("not writable: /x/db cannot be written (EPERM)");
    const ready = readinessChecks(inputs(state, { services: { stock: false, delivery: true, digests: false } }));
    expect(ready).toEqual({ webhooks: true, database: true, engine: "not running: stock, digests" });
  });
});

describe("unwritableFile", () => {
  it("asks access(2) about the file, its -wal (when there) and its folder, and names the first refused", () => {
    const dir = tempDir();
    const db = join(dir, "stockwatch.db");
    writeFileSync(db, "");
    writeFileSync(`${db}-wal`, "");
    const asked: string[] = [];
    expect(unwritableFile(db, (p) => void asked.push(p))).toBeUndefined();
    expect(asked).toEqual([db, `${db}-wal`, dir]); // no -shm file: not asked
    const refused = (path: string) => (p: string) => {
      if (p === path) throw Object.assign(new Error("operation not permitted"), { code: "EPERM" });
    };
    expect(unwritableFile(db, refused(`${db}-wal`))).toMatch(new RegExp(`^${db}-wal cannot be written \\(EPERM\\): check its permissions`));
    expect(unwritableFile(":memory:", refused(":memory:"))).toBeUndefined();
    // The real access(2): a temporary folder of our own is writable.
    expect(unwritableFile(db)).toBeUndefined();
  });
});
