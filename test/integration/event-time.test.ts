import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { getProduct } from "../helpers/stock-reads.js";
import { captureLogger } from "../helpers/outbox-fixtures.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

/**
 * Shoptet's eventCreated is checked at the door: a time that is not one is refused with 400; one
 * far in the future is stored (Shoptet must not retry it for ever) but ordered by its receipt, so
 * it cannot outrank real events.
 */

const ESHOP = 222651;

function query<T>(dbPath: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** Shoptet's format for a time: offset without a colon. */
function shoptetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

describe("eventCreated that is not a Shoptet time", () => {
  it("is answered 400 with a one-line reason, and nothing is stored", async () => {
    const { url, dbPath } = await startTestApp({}, { startServices: false });
    const refused = [
      "not-a-date",
      "",
      "2026-11-27",
      "2026-11-27 10:00:00+0100",
      "2026-13-01T10:00:00+0100",
      "2026-02-30T10:00:00+0100", // V8 would read 2 March
      "2025-02-29T10:00:00+0100", // not a leap year
      "2026-04-31T10:00:00+0100",
      "2026-11-27T24:00:00+0100", // V8 would read the next day
      "2026-11-27T10:00:60+0100",
      "2026-11-27T10:00:00+2500",
      "2026-11-27T10:00:00", // no offset: local time of which zone?
      "2026-11-27T10:00:00.123+0100",
      "+275760-09-13T00:00:00Z",
    ];
    for (const eventCreated of refused) {
      const res = await postWebhook(url, envelope("stock:soldOut", "KAV-1", { eventCreated }));
      expect(res.status, eventCreated).toBe(400);
      expect(res.json.error, eventCreated).toMatch(/eventCreated/);
      expect(res.json.error, eventCreated).toMatch(/2019-01-08T15:13:39\+0100/);
      expect(res.json.error.split("\n"), eventCreated).toHaveLength(1);
    }
    expect(query(dbPath, "SELECT id FROM events")).toEqual([]);
    expect(query(dbPath, "SELECT id FROM jobs")).toEqual([]);
  });

  it("accepts Shoptet's offset and the harmless Z and +HH:MM forms, and a leap day", async () => {
    const { url, dbPath } = await startTestApp({}, { startServices: false });
    const times = ["2026-11-27T10:00:00+0100", "2026-11-27T10:00:01Z", "2026-11-27T10:00:02+01:00", "2026-11-27T10:00:03-0530", "2024-02-29T23:59:59+0000"];
    for (const eventCreated of times) {
      expect((await postWebhook(url, envelope("order:create", eventCreated, { eventCreated }))).status, eventCreated).toBe(200);
    }
    const stored = query<{ event_created: string; event_created_ms: number }>(dbPath, "SELECT event_created, event_created_ms FROM events ORDER BY id");
    expect(stored).toEqual(times.map((t) => ({ event_created: t, event_created_ms: Date.parse(t) })));
  });
});

describe("eventCreated far in the future", () => {
  it("is stored and answered 200, ordered by its receipt time, flagged in /api/events, and a retry is still a duplicate", async () => {
    const logs = captureLogger();
    const { url, dbPath } = await startTestApp({}, { startServices: false, logger: logs.logger });
    const body = envelope("stock:soldOut", "KAV-1", { eventCreated: "9999-12-31T23:59:59+0100" });
    const before = Date.now();
    const first = await postWebhook(url, body);
    const after = Date.now();
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ ok: true, duplicate: false });
    const [row] = query<{ event_created: string; event_created_ms: number; received_at: number }>(
      dbPath,
      "SELECT event_created, event_created_ms, received_at FROM events",
    );
    expect(row!.event_created).toBe("9999-12-31T23:59:59+0100"); // as Shoptet sent it
    // Ordered by when it arrived, to the second (Shoptet's own precision).
    expect(row!.event_created_ms).toBe(Math.floor(row!.received_at / 1000) * 1000);
    expect(row!.received_at).toBeGreaterThanOrEqual(before);
    expect(row!.received_at).toBeLessThanOrEqual(after);

    // Shoptet retries with the same body: the same notification, not a second one.
    const retry = await postWebhook(url, body);
    expect(retry.json).toMatchObject({ ok: true, duplicate: true, id: first.json.id });
    expect(query(dbPath, "SELECT id FROM events")).toHaveLength(1);

    // A time within the bound (30 minutes ahead: clock skew) keeps its own time.
    const skewed = shoptetTime(Date.now() + 30 * 60_000);
    expect((await postWebhook(url, envelope("stock:inStock", "KAV-2", { eventCreated: skewed }))).status).toBe(200);
    expect(query(dbPath, "SELECT event_created_ms FROM events WHERE event_instance = 'KAV-2'")).toEqual([{ event_created_ms: Date.parse(skewed) }]);

    const events = ((await (await fetch(`${url}/api/events`)).json()) as any).events;
    expect(events.find((e: any) => e.eventInstance === "KAV-1")).toMatchObject({ eventCreated: "9999-12-31T23:59:59+0100", timeUntrusted: true });
    expect(events.find((e: any) => e.eventInstance === "KAV-2").timeUntrusted).toBeUndefined();

    // One warning per e-shop, not one per webhook.
    expect(logs.lines.filter((l) => /"level":40/.test(l) && /ahead of this clock/.test(l))).toHaveLength(1);
  });

  it("a stock:soldOut dated 9999 does not freeze the product: a real inStock received after it wins (no API token)", async () => {
    const { url, dbPath } = await startTestApp({}, { pipeline: { stock: { movementReadGapMs: 0, pollIntervalMs: 10 } } });
    const level = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return getProduct(db, ESHOP, "KAV-1")?.level;
      } finally {
        db.close();
      }
    };
    const jobDone = (eventId: number) =>
      query<{ status: string }>(dbPath, "SELECT status FROM jobs WHERE event_id = ?", eventId).some((j) => j.status === "done");

    const forged = await postWebhook(url, envelope("stock:soldOut", "KAV-1", { eventCreated: "9999-12-31T23:59:59+0100" }));
    expect(forged.status).toBe(200);
    await waitFor("the soldOut job", () => jobDone(forged.json.id));
    expect(level()).toBe("soldOut");

    // Created now, so in the second the forged one was received or a later one.
    const real = await postWebhook(url, envelope("stock:inStock", "KAV-1", { eventCreated: shoptetTime(Date.now()) }));
    expect(real.status).toBe(200);
    await waitFor("the inStock job", () => jobDone(real.json.id));
    expect(level()).toBe("ok");
  });
});
