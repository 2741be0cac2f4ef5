import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { signBody } from "../../src/receiver/verify-signature.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, TEST_KEY } from "../helpers/webhooks.js";

/** Requests at the edges of the routes: a malformed cookie, the webhook path with a trailing slash. */

function count(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("a malformed admin cookie", () => {
  it("stockwatch_token=% (not percent-encoding) is answered 401 like any wrong token, on the API and the dashboard", async () => {
    const { url } = await startTestApp({ ADMIN_TOKEN: "s3cret-admin-token-123" });
    for (const cookie of ["stockwatch_token=%", "stockwatch_token=%E0%A4%A", "a=1; stockwatch_token=%zz"]) {
      const api = await fetch(`${url}/api/events`, { headers: { cookie } });
      expect(api.status, cookie).toBe(401);
      expect(await api.json()).toMatchObject({ error: expect.stringContaining("ADMIN_TOKEN") });
      const page = await fetch(`${url}/`, { headers: { cookie }, redirect: "manual" });
      expect(page.status, cookie).not.toBe(500);
    }
    // The well-formed right cookie still opens the API.
    const ok = await fetch(`${url}/api/events`, { headers: { cookie: `stockwatch_token=${encodeURIComponent("s3cret-admin-token-123")}` } });
    expect(ok.status).toBe(200);
  });
});

describe("POST /webhooks/shoptet/ (trailing slash)", () => {
  it("is the webhook route: a signed body is stored and answered 200, also with a query string", async () => {
    const { url, dbPath } = await startTestApp();
    for (const path of ["/webhooks/shoptet/", "/webhooks/shoptet/?source=shoptet"]) {
      const raw = JSON.stringify(envelope("order:create", `2026000${path.length}`));
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "shoptet-webhook-signature": signBody(TEST_KEY, raw) },
        body: raw,
      });
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ ok: true, duplicate: false });
    }
    expect(count(dbPath)).toBe(2);
    // A bad signature there gets the webhook route's own answer, not the admin app's.
    const raw = JSON.stringify(envelope("order:create", "2026000999"));
    const bad = await fetch(`${url}/webhooks/shoptet/`, { method: "POST", headers: { "shoptet-webhook-signature": "0".repeat(40) }, body: raw });
    expect(bad.status).toBe(401);
    expect(count(dbPath)).toBe(2);
  });
});
