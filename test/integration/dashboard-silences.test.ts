import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/test-app.js";

/**
 * The dashboard's silences: listed, added and expired through its forms, which carry the page's
 * CSRF token and are refused from another site like every state-changing form.
 */

async function rig(env: Record<string, string> = {}) {
  const t = await startTestApp(env, { startServices: false });
  const rows = () => t.app.db.prepare("SELECT id, products, rule, reason, created_by, ends_at - created_at AS span, expired_at FROM silences ORDER BY id").all() as any[];
  return { ...t, rows };
}

async function openPage(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/`, { headers });
  expect(res.status).toBe(200);
  const html = await res.text();
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("stockwatch_csrf="))?.split(";")[0];
  return { html, token: token!, cookie: cookie ?? headers.cookie! };
}

function post(url: string, path: string, headers: Record<string, string>, fields: Record<string, string>) {
  return fetch(`${url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const sameOrigin = (url: string, cookie: string) => ({ cookie, origin: `http://${new URL(url).host}`, "sec-fetch-site": "same-origin" });

describe("dashboard silences", () => {
  it("adds a silence through the form, lists it, and expires it with its button", async () => {
    const t = await rig();
    const { url, rows } = t;
    const page = await openPage(url);
    expect(page.html).toContain('<section id="silences">');
    expect(page.html).toContain("No silences in force.");
    expect(page.html).toMatch(/<form method="post" action="\/silences"><input type="hidden" name="csrf" value="[^"]+">/);

    const headers = sameOrigin(url, page.cookie);
    const added = await post(url, "/silences", headers, { csrf: page.token, products: "KAV-*, !KAV-TEST*", rule: "", for: "2d", reason: "stock-taking" });
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toBe("/?silenced=1#silences");
    expect(rows()).toEqual([{ id: 1, products: '["KAV-*","!KAV-TEST*"]', rule: null, reason: "stock-taking", created_by: "dashboard", span: 2 * 86_400_000, expired_at: null }]);

    const listed = await fetch(`${url}/?silenced=1`, { headers: { cookie: page.cookie } }).then((r) => r.text());
    expect(listed).toContain("Silence 1 added.");
    expect(listed).toContain("<code>KAV-*, !KAV-TEST*</code>");
    expect(listed).toContain("stock-taking");
    expect(listed).toMatch(/<form class="inline" method="post" action="\/silences\/1\/expire"><input type="hidden" name="csrf"/);
    // An open alert a silence held back says so under its subject.
    t.app.db
      .prepare(
        `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, last_values, updated_at, silenced_by, silence_pending)
         VALUES ('sold-out', 'x', 'stock', 1, 'KAV-1', 'critical', 'open', 0, '{}', 0, 1, 1)`,
      )
      .run();
    expect(await fetch(`${url}/`, { headers: { cookie: page.cookie } }).then((r) => r.text())).toContain('<a href="#silences">silenced by #1</a>');
    const api = (await (await fetch(`${url}/api/silences`)).json()) as any;
    expect(api.silences).toMatchObject([{ id: 1, products: ["KAV-*", "!KAV-TEST*"], rule: null, reason: "stock-taking", createdBy: "dashboard", active: true, expiredAt: null }]);

    const expired = await post(url, "/silences/1/expire", headers, { csrf: page.token });
    expect(expired.status).toBe(303);
    expect(expired.headers.get("location")).toBe("/?unsilenced=1#silences");
    expect(rows()[0].expired_at).not.toBeNull();
    const after = await fetch(`${url}/`, { headers: { cookie: page.cookie } }).then((r) => r.text());
    expect(after).toContain("No silences in force.");
    expect(((await (await fetch(`${url}/api/silences`)).json()) as any).silences).toEqual([]);
    expect(((await (await fetch(`${url}/api/silences?all=1`)).json()) as any).silences).toMatchObject([{ id: 1, active: false }]);
  });

  it("answers bad input with what to fix and adds nothing; an unknown id is a 404", async () => {
    const { url, rows } = await rig();
    const page = await openPage(url);
    const headers = sameOrigin(url, page.cookie);
    const cases: [Record<string, string>, string][] = [
      [{ products: "", for: "2d", reason: "x" }, "Silence not added: name the products to silence with products"],
      [{ products: "KAV-[", for: "2d", reason: "x" }, "has &quot;[&quot; without a closing &quot;]&quot;"],
      [{ products: "KAV-*", for: "forever", reason: "x" }, "for takes a duration like 30m, 12h or 2d"],
      [{ products: "KAV-*", for: "2d", reason: "" }, "say why with reason"],
    ];
    for (const [fields, message] of cases) {
      const res = await post(url, "/silences", headers, { csrf: page.token, ...fields });
      expect(res.status, JSON.stringify(fields)).toBe(400);
      expect(await res.text(), JSON.stringify(fields)).toContain(message);
    }
    expect(rows()).toEqual([]);
    const unknown = await post(url, "/silences/42/expire", headers, { csrf: page.token });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("There is no silence 42.");
  });

  it("refuses cross-site and tokenless posts with 403, and nothing changes", async () => {
    const { url, rows } = await rig();
    const page = await openPage(url);
    await post(url, "/silences", sameOrigin(url, page.cookie), { csrf: page.token, products: "KAV-*", for: "1h", reason: "recount" });
    const before = rows();
    expect(before).toHaveLength(1);
    const forged: [string, string, Record<string, string>, Record<string, string>][] = [
      ["add from another site", "/silences", { "sec-fetch-site": "cross-site", cookie: page.cookie }, { csrf: page.token, products: "*", for: "90d", reason: "evil" }],
      ["add with another Origin", "/silences", { origin: "https://evil.example", cookie: page.cookie }, { csrf: page.token, products: "*", for: "90d", reason: "evil" }],
      ["add without the token", "/silences", { cookie: page.cookie }, { products: "*", for: "90d", reason: "evil" }],
      ["expire from another site", "/silences/1/expire", { "sec-fetch-site": "cross-site", cookie: page.cookie }, { csrf: page.token }],
      ["expire without the token", "/silences/1/expire", { cookie: page.cookie }, {}],
    ];
    for (const [name, path, headers, fields] of forged) {
      const res = await post(url, path, headers, fields);
      expect(res.status, name).toBe(403);
      expect(await res.text(), name).toContain("Refused");
      expect(rows(), name).toEqual(before);
    }
  });

  it("with ADMIN_TOKEN, GET /api/silences needs it", async () => {
    const { url } = await rig({ ADMIN_TOKEN: "admin-secret-token-123456" });
    expect((await fetch(`${url}/api/silences`)).status).toBe(401);
    const ok = await fetch(`${url}/api/silences`, { headers: { authorization: "Bearer admin-secret-token-123456" } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).silences).toEqual([]);
  });
});
