import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { seedDeadDelivery, seedProduct } from "../helpers/seed-state.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

async function seeded(env: Record<string, string> = {}) {
  const t = await startTestApp(env);
  const now = Date.now();
  seedProduct(t.app.db, { code: "KAV-1", name: "Colombia <250 g>", quantity: 0, min: 5, level: "soldOut", since: now - 3 * 3_600_000 });
  seedProduct(t.app.db, { code: "CAJ-2", name: "Earl Grey", quantity: 3, min: 10, level: "low", since: now - 600_000 });
  seedProduct(t.app.db, { code: "OK-3", name: "Plenty", quantity: 90, min: 10, level: "ok", since: now });
  await postWebhook(t.url, envelope("order:create", "2018000057"));
  await postWebhook(t.url, envelope("invoice:create", "INV-9"));
  const deadId = seedDeadDelivery(t.app.db, "Sold out: KAV-1", "channel_not_found: the bot is not in #warehouse");
  return { ...t, deadId };
}

describe("dashboard (server-rendered, no JavaScript)", () => {
  it("shows sold-out and low products, events, failures and rules status, escaped", async () => {
    const { url } = await seeded();
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).not.toContain("<script");
    expect(html).toContain("Colombia &lt;250 g&gt;");
    expect(html).toMatch(/id="sold-out"[\s\S]*KAV-1[\s\S]*id="low"[\s\S]*CAJ-2/);
    expect(html).not.toMatch(/id="low"[\s\S]*OK-3[\s\S]*id="alerts"/);
    expect(html).toContain("channel_not_found");
    expect(html).toContain("order:create");
    expect(html).toContain("config/rules.yaml");
    expect(html).toContain("2 channels, 3 rules, 1 digest");
    expect(html).toContain('name="viewport"');
  });

  it("filters events by type and retries a dead delivery with a form post", async () => {
    const { url, app, deadId } = await seeded();
    const filtered = await (await fetch(`${url}/?type=invoice:create`)).text();
    const eventsPart = filtered.slice(filtered.indexOf('id="events"'), filtered.indexOf('id="deliveries"'));
    expect(eventsPart).toContain("INV-9");
    expect(eventsPart).not.toContain("2018000057");
    // The form posts the page's CSRF token, which must match the page's cookie.
    const page = await fetch(`${url}/`);
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith("stockwatch_csrf="))!.split(";")[0]!;
    const form = new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(await page.text())![1]! });
    const res = await fetch(`${url}/deliveries/${deadId}/retry`, { method: "POST", redirect: "manual", headers: { cookie }, body: form });
    expect(res.status).toBe(303);
    expect(app.db.prepare("SELECT status FROM outbox WHERE id = ?").get(deadId)).toMatchObject({ status: expect.stringMatching(/pending|sending|unconfigured/) });
    expect((await fetch(`${url}/deliveries/999/retry`, { method: "POST", redirect: "manual", headers: { cookie }, body: form })).status).toBe(404);
  });

  it("with ADMIN_TOKEN: sends a browser to sign in, and the cookie opens the page", async () => {
    const { url } = await seeded({ ADMIN_TOKEN: "s3cret-admin" });
    const first = await fetch(`${url}/`, { redirect: "manual" });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/login");
    const wrong = await fetch(`${url}/login`, { method: "POST", body: new URLSearchParams({ token: "nope" }), redirect: "manual" });
    expect(wrong.status).toBe(401);
    const login = await fetch(`${url}/login`, { method: "POST", body: new URLSearchParams({ token: "s3cret-admin" }), redirect: "manual" });
    expect(login.status).toBe(303);
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await fetch(`${url}/`, { headers: { cookie: cookie.split(";")[0]! } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("KAV-1");
    const forged = await fetch(`${url}/`, { headers: { cookie: "stockwatch_token=guess" } });
    expect(forged.status).toBe(401);
  });
});

const CHROMIUM = "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) {
  console.warn("skipping the dashboard browser test: /usr/bin/chromium is missing (apt-get install chromium)");
}
describe.skipIf(!existsSync(CHROMIUM))("dashboard in headless Chromium", () => {
  it("loads on a phone-sized screen, the filter works, and a retry click changes the delivery", async () => {
    const { chromium } = await import("playwright-core");
    const { url, app, deadId } = await seeded();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
      await page.goto(`${url}/`);
      expect(await page.locator("#sold-out").innerText()).toContain("KAV-1");
      expect(await page.locator("#low").innerText()).toContain("CAJ-2");
      // No horizontal overflow of the page itself on a phone.
      const width = await page.evaluate<number>("document.documentElement.scrollWidth");
      expect(width).toBeLessThanOrEqual(400);
      await page.selectOption("#type", "invoice:create");
      await Promise.all([page.waitForURL(/type=invoice/), page.click("#events button[type=submit]")]);
      const events = await page.locator("#events").innerText();
      expect(events).toContain("INV-9");
      expect(events).not.toContain("2018000057");
      await Promise.all([page.waitForURL(/retried=/), page.click(`form[action="/deliveries/${deadId}/retry"] button`)]);
      expect(await page.locator(".notice").innerText()).toContain(`Delivery ${deadId} queued again`);
      const row = app.db.prepare("SELECT status, attempts FROM outbox WHERE id = ?").get(deadId) as { status: string; attempts: number };
      expect(row.status).not.toBe("dead");
      await page.screenshot({ path: "test-results/dashboard-phone.png", fullPage: true }).catch(() => undefined);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
