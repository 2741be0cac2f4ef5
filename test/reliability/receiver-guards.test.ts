import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { SqliteBatchWriter } from "../../src/receiver/batch-writer.js";
import { jsonNestingExceeds } from "../../src/receiver/json-depth.js";
import type { WebhookEnvelope } from "../../src/receiver/webhook-envelope.js";
import { tempDbPath } from "../helpers/temp-dir.js";

describe("jsonNestingExceeds", () => {
  const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
  it("counts nesting of arrays and objects, not brackets inside strings", () => {
    expect(jsonNestingExceeds(Buffer.from(deep(64)), 64)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(deep(65)), 64)).toBe(true);
    expect(jsonNestingExceeds(Buffer.from(`{"a":"${"[".repeat(500)}","b":[1,{"c":2}]}`), 3)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(`{"a":"\\"${"{".repeat(500)}"}`), 2)).toBe(false);
    expect(jsonNestingExceeds(Buffer.from(`{"a":"\\\\",${'"b":{'.repeat(10)}1${"}".repeat(10)}}`), 5)).toBe(true);
    expect(jsonNestingExceeds(Buffer.from("[".repeat(1_000_000)), 64)).toBe(true);
  });
});

describe("a batch with one event that cannot be stored", () => {
  it("stores the others and fails only that one", async () => {
    const db = openDatabase(tempDbPath());
    const writer = new SqliteBatchWriter(new SqliteEventStore(db));
    let nested: unknown = 1;
    for (let i = 0; i < 200_000; i++) nested = [nested];
    const env = (instance: string, payload?: Record<string, unknown>): WebhookEnvelope => ({
      eshopId: 1,
      event: "order:create",
      eventCreated: "2026-01-01T00:00:00+0100",
      eventInstance: instance,
      ...(payload ? { payload } : {}),
    });
    const batch = [env("A"), env("POISON", { data: nested }), env("B")].map((envelope) => ({
      raw: Buffer.from(JSON.stringify({ ...envelope, payload: undefined })),
      receivedAt: 1,
      envelope,
    }));
    const results = await writer.write(batch);
    expect(results[0]).toMatchObject({ duplicate: false });
    expect(results[1]).toMatchObject({ error: expect.stringContaining("could not be prepared for storage") });
    expect(results[2]).toMatchObject({ duplicate: false });
    expect((db.prepare("SELECT group_concat(event_instance) AS s FROM events").get() as { s: string }).s).toBe("A,B");
    db.close();
  });
});
