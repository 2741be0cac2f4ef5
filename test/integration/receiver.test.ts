import Database from "better-sqlite3";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { signBody } from "../../src/receiver/verify-signature.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook, TEST_KEY } from "../helpers/webhooks.js";

const seedEvents = readFileSync(new URL("../fixtures/webhooks/seed-events.txt", import.meta.url), "utf8")
  .split("\n")
  .filter(Boolean);

function rows(dbPath: string, sql: string): any[] {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe("POST /webhooks/shoptet", () => {
  it("accepts and stores every seed event type, with its raw bytes", async () => {
    expect(seedEvents).toHaveLength(48);
    const { url, dbPath } = await startTestApp();
    const sent = new Map<string, string>();
    for (const event of seedEvents) {
      const raw = JSON.stringify(envelope(event, event === "stock:movement" ? "1" : "26/BIL"));
      sent.set(event, raw);
      const res = await postWebhook(url, raw);
      expect(res.status, event).toBe(200);
      expect(res.json).toMatchObject({ ok: true, duplicate: false });
    }
    const stored = rows(dbPath, "SELECT event, known, raw FROM events");
    expect(stored).toHaveLength(48);
    for (const row of stored) {
      expect(row.known).toBe(1);
      expect(Buffer.from(row.raw).toString("utf8")).toBe(sent.get(row.event));
    }
  });

  it("stores well-formed unknown event types and counts them", async () => {
    const { url, dbPath } = await startTestApp();
    const res = await postWebhook(url, envelope("gadget:explode", "x-1"));
    expect(res.status).toBe(200);
    expect(rows(dbPath, "SELECT event, known FROM events")).toEqual([{ event: "gadget:explode", known: 0 }]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/stockwatch_unknown_event_types_total 1/);
    expect(metrics).toMatch(/stockwatch_webhooks_total\{event="unknown",outcome="stored"\} 1/);
  });

  it("keeps the optional payload", async () => {
    const { url } = await startTestApp();
    await postWebhook(url, envelope("product:update", "guid-1", { payload: { data: { name: "Coffee" } } }));
    const res = await fetch(`${url}/api/events`);
    const body = (await res.json()) as any;
    expect(body.events[0].payload).toEqual({ data: { name: "Coffee" } });
  });

  it.each([
    ["missing", null],
    ["wrong", "0".repeat(40)],
    ["too short", "abc123"],
    ["too long", "a".repeat(41)],
    ["not hex", "z".repeat(40)],
    ["empty", ""],
    ["sha256-sized", "a".repeat(64)],
  ])("refuses a %s signature with 401 and stores nothing", async (_name, signature) => {
    const { url, dbPath } = await startTestApp();
    const res = await postWebhook(url, envelope("order:create", "2018000057"), { signature });
    expect(res.status).toBe(401);
    expect(res.json.error).toBeTypeOf("string");
    expect(rows(dbPath, "SELECT id FROM events")).toHaveLength(0);
  });

  it("refuses the signature of another body, and of the same JSON re-serialised", async () => {
    const { url, dbPath } = await startTestApp();
    const original = '{"eshopId":222651,"event":"order:create","eventCreated":"2019-01-08T15:13:39+0100","eventInstance":"1"}';
    const other = original.replace('"1"', '"2"');
    expect((await postWebhook(url, other, { signature: signBody(TEST_KEY, original) })).status).toBe(401);
    const reserialised = JSON.stringify(JSON.parse(original), null, 1);
    expect((await postWebhook(url, reserialised, { signature: signBody(TEST_KEY, original) })).status).toBe(401);
    expect(rows(dbPath, "SELECT id FROM events")).toHaveLength(0);
    // …while the original bytes with their signature are accepted, in upper-case hex too.
    expect((await postWebhook(url, original, { signature: signBody(TEST_KEY, original).toUpperCase() })).status).toBe(200);
  });

  it("uses the per-e-shop key over the default one", async () => {
    const { url } = await startTestApp({ SHOPTET_WEBHOOK_KEY_5: "shop-five-key" });
    expect((await postWebhook(url, envelope("order:create", "1", { eshopId: 5 }), { key: "shop-five-key" })).status).toBe(200);
    expect((await postWebhook(url, envelope("order:create", "2", { eshopId: 5 }))).status).toBe(401);
    expect((await postWebhook(url, envelope("order:create", "3", { eshopId: 6 }))).status).toBe(200);
  });

  it("refuses every webhook with 401 when no key is configured, naming the variable", async () => {
    const { url } = await startTestApp({ SHOPTET_WEBHOOK_KEY: "" });
    const res = await postWebhook(url, envelope("order:create", "1", { eshopId: 77 }));
    expect(res.status).toBe(401);
    expect(res.json.error).toContain("SHOPTET_WEBHOOK_KEY_77");
  });

  it.each([
    ["not JSON", "{not json"],
    ["a JSON array", "[1,2,3]"],
    ["a string", '"hello"'],
    ["missing eventInstance", '{"eshopId":1,"event":"order:create","eventCreated":"2019-01-08T15:13:39+0100"}'],
    ["eshopId as text", '{"eshopId":"1","event":"order:create","eventCreated":"x","eventInstance":"1"}'],
    ["a malformed event", '{"eshopId":1,"event":"order create","eventCreated":"x","eventInstance":"1"}'],
  ])("answers 400 for %s (correctly signed) and stores nothing", async (_name, body) => {
    const { url, dbPath } = await startTestApp();
    const res = await postWebhook(url, body);
    expect(res.status).toBe(400);
    expect(res.json.error).toBeTypeOf("string");
    expect(rows(dbPath, "SELECT id FROM events")).toHaveLength(0);
  });

  it("answers 413 for a declared oversized body without reading it", async () => {
    const { url, dbPath } = await startTestApp({ WEBHOOK_BODY_LIMIT: "2048" });
    const big = JSON.stringify(envelope("order:create", "1", { payload: { blob: "x".repeat(5000) } }));
    const res = await postWebhook(url, big);
    expect(res.status).toBe(413);
    expect(rows(dbPath, "SELECT id FROM events")).toHaveLength(0);
  });

  it("answers 413 for a streamed (chunked) body that grows past the limit", async () => {
    const { app } = await startTestApp({ WEBHOOK_BODY_LIMIT: "2048" });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port: app.port, method: "POST", path: "/webhooks/shoptet", headers: { "shoptet-webhook-signature": "a".repeat(40) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 4; i++) req.write("x".repeat(1000));
      req.end();
    });
    expect(status).toBe(413);
    expect(app.events.count()).toBe(0);
  });

  it("answers 415 for a compressed body", async () => {
    const { url } = await startTestApp();
    const res = await postWebhook(url, envelope("order:create", "1"), { headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(415);
  });

  it("stores a retried notification once, sequentially and concurrently", async () => {
    const { url, dbPath } = await startTestApp();
    const raw = JSON.stringify(envelope("order:create", "2018000057"));
    const first = await postWebhook(url, raw);
    for (let i = 0; i < 2; i++) {
      const again = await postWebhook(url, raw);
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ ok: true, id: first.json.id, duplicate: true });
    }
    const other = JSON.stringify(envelope("order:create", "2018000058"));
    const results = await Promise.all(Array.from({ length: 10 }, () => postWebhook(url, other)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => !r.json.duplicate)).toHaveLength(1);
    expect(rows(dbPath, "SELECT event_instance, count(*) AS n FROM events GROUP BY 1 ORDER BY 1")).toEqual([
      { event_instance: "2018000057", n: 1 },
      { event_instance: "2018000058", n: 1 },
    ]);
  });

  it("keeps genuinely new events for the same warehouse apart, and coalesces their job", async () => {
    // Workers off: the jobs stay pending, so the folding is visible.
    const { url, dbPath } = await startTestApp({}, { startServices: false });
    for (let i = 0; i < 5; i++) expect((await postWebhook(url, envelope("stock:movement", "1"))).status).toBe(200);
    await postWebhook(url, envelope("stock:soldOut", "26/BIL"));
    await postWebhook(url, envelope("order:create", "1"));
    expect(rows(dbPath, "SELECT count(*) AS n FROM events")[0].n).toBe(7);
    expect(rows(dbPath, "SELECT kind, subject, status, coalesced FROM jobs ORDER BY kind")).toEqual([
      { kind: "movement-read", subject: "1", status: "pending", coalesced: 5 },
      { kind: "product-level", subject: "26/BIL", status: "pending", coalesced: 1 },
    ]);
  });

  it("answers 503 when storage cannot be written, writes nothing half, and recovers", async () => {
    // Workers off: this is about the webhook path alone.
    const { app, url, dbPath } = await startTestApp({}, { ingestBusyTimeoutMs: 200, startServices: false });
    expect((await postWebhook(url, envelope("stock:movement", "1"))).status).toBe(200);
    // Another process holds the write lock longer than a webhook may wait (Shoptet gives up at 4 s).
    const other = new Database(dbPath);
    other.exec("BEGIN EXCLUSIVE");
    const locked = await Promise.all([
      postWebhook(url, envelope("stock:movement", "2")),
      postWebhook(url, envelope("order:create", "9")),
    ]);
    expect(locked.map((r) => r.status)).toEqual([503, 503]);
    expect(locked[0]!.json.error).toMatch(/retry/);
    other.exec("ROLLBACK");
    other.close();
    expect(app.db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 1 });
    expect(app.db.prepare("SELECT count(*) AS n FROM jobs").get()).toEqual({ n: 1 });
    // Shoptet's retry of the same notification then succeeds.
    expect((await postWebhook(url, envelope("stock:movement", "2", { eventCreated: "2026-11-27T00:00:00+0100" }))).status).toBe(200);
    expect(app.db.prepare("SELECT count(*) AS n FROM jobs").get()).toEqual({ n: 2 });
  });

  it("keeps everything across a restart", async () => {
    const first = await startTestApp();
    const bodies = [envelope("order:create", "1"), envelope("stock:movement", "3")];
    for (const b of bodies) await postWebhook(first.url, b);
    await first.app.stop();
    const second = await startTestApp({}, { dbPath: first.dbPath });
    const events = ((await (await fetch(`${second.url}/api/events`)).json()) as any).events;
    expect(events.map((e: any) => e.event)).toEqual(["stock:movement", "order:create"]);
    expect((await postWebhook(second.url, bodies[0]!)).json.duplicate).toBe(true);
  });

  it("refuses senders outside SHOPTET_IP_ALLOWLIST", async () => {
    const { url } = await startTestApp({ SHOPTET_IP_ALLOWLIST: "185.184.254.0/24" });
    expect((await postWebhook(url, envelope("order:create", "1"))).status).toBe(403);
    const allowed = await startTestApp({ SHOPTET_IP_ALLOWLIST: "185.184.254.0/24,127.0.0.0/8" });
    expect((await postWebhook(allowed.url, envelope("order:create", "1"))).status).toBe(200);
  });

  it("answers 405 to other methods", async () => {
    const { url } = await startTestApp();
    expect((await fetch(`${url}/webhooks/shoptet`)).status).toBe(405);
  });
});
