import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

describe("GET /api/events", () => {
  it("lists newest first, filters by event and e-shop, and pages back with before", async () => {
    const { url } = await startTestApp();
    for (let i = 1; i <= 5; i++) await postWebhook(url, envelope("order:create", String(i), { eshopId: i % 2 ? 1 : 2 }));
    await postWebhook(url, envelope("stock:movement", "9", { eshopId: 1 }));
    const all = ((await (await fetch(`${url}/api/events`)).json()) as any).events;
    expect(all.map((e: any) => e.eventInstance)).toEqual(["9", "5", "4", "3", "2", "1"]);
    expect(Object.keys(all[0])).toEqual(
      expect.arrayContaining(["id", "eshopId", "event", "eventInstance", "eventCreated", "receivedAt"]),
    );
    const orders = ((await (await fetch(`${url}/api/events?event=order:create&eshopId=1`)).json()) as any).events;
    expect(orders.map((e: any) => e.eventInstance)).toEqual(["5", "3", "1"]);
    const page1 = ((await (await fetch(`${url}/api/events?limit=2`)).json()) as any).events;
    const page2 = ((await (await fetch(`${url}/api/events?limit=2&before=${page1[1].id}`)).json()) as any).events;
    expect(page2.map((e: any) => e.eventInstance)).toEqual(["4", "3"]);
  });

  it.each(["limit=0", "limit=1001", "limit=abc", "before=-1", "eshopId=x"])("answers 400 for %s", async (q) => {
    const { url } = await startTestApp();
    const res = await fetch(`${url}/api/events?${q}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toMatch(/must be/);
  });
});

describe("admin auth", () => {
  it("requires the bearer ADMIN_TOKEN when it is set", async () => {
    const { url } = await startTestApp({ ADMIN_TOKEN: "s3cret-admin" });
    expect((await fetch(`${url}/api/events`)).status).toBe(401);
    expect((await fetch(`${url}/api/events`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await fetch(`${url}/api/events`, { headers: { authorization: "Bearer s3cret-admin" } })).status).toBe(200);
    // health and metrics stay open for probes and scrapers
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it("answers only loopback clients that did not come through a proxy when no token is set", async () => {
    const { url } = await startTestApp();
    expect((await fetch(`${url}/api/events`)).status).toBe(200);
    const proxied = await fetch(`${url}/api/events`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(proxied.status).toBe(403);
    expect(((await proxied.json()) as any).error).toContain("ADMIN_TOKEN");
  });
});

describe("GET /healthz", () => {
  it("reports a writable database", async () => {
    const { url, app } = await startTestApp();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).checks.database).toBe(true);
    // /healthz no longer writes to find out: it reports the receiver's failed batch.
    app.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused'); END");
    expect((await postWebhook(url, envelope("order:create", "HEALTHZ-1"))).status).toBe(503);
    const bad = await fetch(`${url}/healthz`);
    expect(bad.status).toBe(503);
    expect(((await bad.json()) as any).checks.database).toMatch(/not writable/);
  });
});
