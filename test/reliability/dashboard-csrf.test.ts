import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { seedDeadDelivery } from "../helpers/seed-state.js";
import { startTestApp } from "../helpers/test-app.js";

/**
 * The dashboard's retry button against cross-site request forgery. Without ADMIN_TOKEN the
 * dashboard trusts loopback, so a page the operator's browser opens on another site could post to
 * it; every such post is refused (403) and changes nothing.
 */

async function rig(env: Record<string, string> = {}) {
  const t = await startTestApp(env, { startServices: false });
  const deadId = seedDeadDelivery(t.app.db, "Sold out: KAV-1", "channel_not_found: the bot is not in #warehouse");
  const row = () => t.app.db.prepare("SELECT status, attempts, next_attempt_at FROM outbox WHERE id = ?").get(deadId);
  return { ...t, deadId, row };
}

/** What a browser gets from the page: the session cookies and the form's hidden token. */
async function openPage(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/`, { headers });
  expect(res.status).toBe(200);
  const html = await res.text();
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const csrfCookie = res.headers.getSetCookie().find((c) => c.startsWith("stockwatch_csrf="));
  return { html, token: token!, cookie: csrfCookie?.split(";")[0], setCookie: csrfCookie };
}

function retry(url: string, id: number, headers: Record<string, string>, body?: string) {
  return fetch(`${url}/deliveries/${id}/retry`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    ...(body === undefined ? {} : { body }),
  });
}

describe("dashboard CSRF (ADMIN_TOKEN unset: loopback trust)", () => {
  it("the page puts a token in each retry form and in an HttpOnly SameSite=Strict cookie, the same on the next load", async () => {
    const { url } = await rig();
    const first = await openPage(url);
    expect(first.token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(first.setCookie).toMatch(/HttpOnly/i);
    expect(first.setCookie).toMatch(/SameSite=Strict/i);
    expect(first.cookie).toBe(`stockwatch_csrf=${first.token}`);
    const again = await openPage(url, { cookie: first.cookie! });
    expect(again.token).toBe(first.token);
    expect(again.setCookie).toBeUndefined();
  });

  it("refuses forged posts with 403 and a clear reason, and the delivery stays dead", async () => {
    const { url, deadId, row } = await rig();
    const before = row();
    expect(before).toMatchObject({ status: "dead" });
    const { token, cookie } = await openPage(url);
    const good = `csrf=${encodeURIComponent(token)}`;
    const forged: [string, Record<string, string>, string | undefined, RegExp][] = [
      // A browser on another site: it says so, whatever the body holds.
      ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site", cookie: cookie! }, good, /another site \(Sec-Fetch-Site: cross-site\)/],
      ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site", cookie: cookie! }, good, /another site/],
      ["an Origin of another site", { origin: "https://evil.example", cookie: cookie! }, good, /another site \(Origin: https:\/\/evil\.example/],
      ["Origin: null", { origin: "null", cookie: cookie! }, good, /another site/],
      // No site headers (an old browser, curl): the token decides.
      ["no token and no cookie", {}, undefined, /security token is missing/],
      ["a cookie but no form token", { cookie: cookie! }, "", /security token/],
      ["a form token but no cookie", {}, good, /security token/],
      ["a token that is not the cookie's", { cookie: cookie! }, "csrf=abc.def", /security token/],
      // A cookie planted with a value of the attacker's choosing (e.g. from a sibling subdomain).
      ["a matching pair not signed by the daemon", { cookie: "stockwatch_csrf=abc.def" }, "csrf=abc.def", /security token/],
    ];
    for (const [name, headers, body, reason] of forged) {
      const res = await retry(url, deadId, headers, body);
      expect(res.status, name).toBe(403);
      const text = await res.text();
      expect(text, name).toMatch(reason);
      expect(text, name).toContain("Refused");
      expect(row(), name).toEqual(before);
    }
  });

  it("the real form flow still works: same-origin browser headers, the page's cookie and token", async () => {
    const { url, deadId, row } = await rig();
    const { token, cookie } = await openPage(url);
    const host = new URL(url).host;
    const res = await retry(url, deadId, { cookie: cookie!, origin: `http://${host}`, "sec-fetch-site": "same-origin" }, `csrf=${encodeURIComponent(token)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/?retried=${deadId}#deliveries`);
    expect(row()).toMatchObject({ status: expect.stringMatching(/pending|sending|unconfigured/) });
    // Origin alone (a browser without Sec-Fetch-Site) naming this host is fine too.
    expect((await retry(url, 999, { cookie: cookie!, origin: `http://${host}` }, `csrf=${encodeURIComponent(token)}`)).status).toBe(404);
  });

  it("a token from before a restart is refused, and the reloaded page works", async () => {
    const { url, deadId, dbPath, app } = await rig();
    const old = await openPage(url);
    await app.stop();
    const restarted = await startTestApp({}, { dbPath, startServices: false });
    const stale = await retry(restarted.url, deadId, { cookie: old.cookie! }, `csrf=${encodeURIComponent(old.token)}`);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toMatch(/Reload the dashboard/);
    const fresh = await openPage(restarted.url, { cookie: old.cookie! });
    expect(fresh.token).not.toBe(old.token);
    expect((await retry(restarted.url, deadId, { cookie: fresh.cookie! }, `csrf=${encodeURIComponent(fresh.token)}`)).status).toBe(303);
  });
});

describe("dashboard CSRF with ADMIN_TOKEN", () => {
  it("a signed-in session still needs the token, and sign-in refuses a cross-site post", async () => {
    const { url, deadId, row } = await rig({ ADMIN_TOKEN: "s3cret-admin-token" });
    const before = row();
    const crossLogin = await fetch(`${url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "sec-fetch-site": "cross-site" },
      body: new URLSearchParams({ token: "s3cret-admin-token" }),
    });
    expect(crossLogin.status).toBe(403);
    expect(crossLogin.headers.get("set-cookie")).toBeNull();
    const login = await fetch(`${url}/login`, { method: "POST", redirect: "manual", body: new URLSearchParams({ token: "s3cret-admin-token" }) });
    const session = login.headers.get("set-cookie")!.split(";")[0]!;
    expect((await retry(url, deadId, { cookie: session }, "")).status).toBe(403);
    expect(row()).toEqual(before);
    const { token, cookie } = await openPage(url, { cookie: session });
    expect((await retry(url, deadId, { cookie: `${session}; ${cookie}` }, `csrf=${encodeURIComponent(token)}`)).status).toBe(303);
  });
});

const CHROMIUM = "/usr/bin/chromium";
describe.skipIf(!existsSync(CHROMIUM))("dashboard CSRF in headless Chromium", () => {
  it("a page on another site whose form posts to the retry route is refused, and the delivery stays dead", async () => {
    const { chromium } = await import("playwright-core");
    const { url, deadId, row } = await rig();
    const before = row();
    // The attacker's page: another site (localhost vs 127.0.0.1), a form aimed at the dashboard.
    const target = `${url}/deliveries/${deadId}/retry`;
    const evil = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><form method="post" action="${target}"><input type="hidden" name="csrf" value="guess.guess"><button id="go">win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, "127.0.0.1", resolve));
    const evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}/`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ javaScriptEnabled: false });
      // The operator's browser has the dashboard open (so it holds the session cookie) …
      await page.goto(`${url}/`);
      // … and then visits the other site and clicks.
      await page.goto(evilUrl);
      const [response] = await Promise.all([page.waitForResponse(target), page.click("#go")]);
      expect(response.status()).toBe(403);
      expect(await page.locator("body").innerText()).toMatch(/another site \(Sec-Fetch-Site: cross-site\)/);
      expect(row()).toEqual(before);
    } finally {
      await browser.close();
      evil.close();
    }
  }, 60_000);
});
