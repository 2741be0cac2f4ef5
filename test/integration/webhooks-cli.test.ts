import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { STOCK_EVENTS, registrableEvents } from "../../src/events/event-catalog.js";
import { startShoptetStandin, type ShoptetStandin, type StandinOptions } from "../helpers/shoptet-standin.js";
import { tempDir } from "../helpers/temp-dir.js";

const ESHOP = 222651;
const URL_OURS = "https://stock.example.com/webhooks/shoptet";
const RULES = `
timezone: Europe/Prague
channels:
  managers: { type: email, to: [manager@example.com] }
rules:
  - name: order-cancelled
    when: { event: order:cancel }
    notify: [managers]
`;

let standin: ShoptetStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function rig(options: StandinOptions = {}) {
  standin = await startShoptetStandin({ eshopId: ESHOP, ...options });
  const dir = tempDir();
  const rulesPath = join(dir, "rules.yaml");
  writeFileSync(rulesPath, RULES);
  const env = {
    SHOPTET_API_URL: standin.url,
    SHOPTET_API_TOKEN: standin.token,
    STOCKWATCH_RULES: rulesPath,
    STOCKWATCH_DB: join(dir, "unused.db"),
  };
  return { s: standin, env };
}

/** Runs the command, capturing stdout and stderr. Sleeps are skipped (no retry waits in these tests). */
async function run(argv: string[], env: Record<string, string | undefined>) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    ["webhooks", ...argv],
    env,
    { out: { write: (t: string) => (stdout += t) }, err: { write: (t: string) => (stderr += t) } },
    { sleep: async () => undefined },
  );
  return { code, stdout, stderr };
}

const writes = (s: ShoptetStandin) => s.requests.filter((r) => r.method !== "GET");
const eventsAt = (s: ShoptetStandin, url: string) =>
  s
    .webhooks()
    .filter((w) => w.url === url)
    .map((w) => w.event)
    .sort();

describe("stockwatch webhooks register", () => {
  it("registers the default events (stock, product refresh, what the rules need) in one POST, and a second run changes nothing", async () => {
    const { s, env } = await rig();
    const first = await run(["register", "--url", URL_OURS], env);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const expected = [...STOCK_EVENTS, "product:update", "productVariant:update", "order:cancel"].sort();
    expect(eventsAt(s, URL_OURS)).toEqual(expected);
    expect(s.count("POST /api/webhooks")).toBe(1);
    expect(first.stdout).toContain("+ stock:movement");
    expect(first.stdout).toMatch(/order:cancel\s+added \(id \d+\) — rule "order-cancelled"/);
    expect(first.stdout).toContain("7 added, 0 re-pointed, 0 already registered, 0 skipped; checked against Shoptet's list");

    s.resetCounts();
    const second = await run(["register", "--url", URL_OURS], env);
    expect(second.code).toBe(0);
    expect(writes(s)).toEqual([]);
    expect(second.stdout).toContain("0 added, 0 re-pointed, 7 already registered, 0 skipped");
    expect(eventsAt(s, URL_OURS)).toEqual(expected);
  });

  it("--all never registers both sides of a conflict pair, says which it kept and why, and posts at most 50 per call", async () => {
    const { s, env } = await rig();
    const result = await run(["register", "--url", URL_OURS, "--all"], env);
    expect(result.code).toBe(0);
    const registered = eventsAt(s, URL_OURS);
    expect(registered).toContain("order:update");
    expect(registered).not.toContain("order:cancel");
    expect(registered).toContain("customer:update");
    expect(registered).not.toContain("customer:disableOrders");
    expect(registered).not.toContain("customer:enableOrders");
    expect(registered).toHaveLength(registrableEvents().length - 3);
    expect(result.stdout).toMatch(/- order:cancel\s+skipped — Shoptet refuses order:update and order:cancel together \(409\); chose order:update: order:update is the broader event/);
    expect(result.stdout).toContain("To receive order:cancel instead, name it: --events …,order:cancel");
    const posts = s.requests.filter((r) => r.route === "POST /api/webhooks");
    expect(posts.length).toBe(Math.ceil(registered.length / 50));
    for (const p of posts) expect((p.body as { data: unknown[] }).data.length).toBeLessThanOrEqual(50);
    // every POST carried the URL and nothing else but the event
    expect((posts[0]!.body as { data: object[] }).data[0]).toEqual({ event: expect.any(String), url: URL_OURS });
  });

  it("an event named with --events wins its pair; the other side is skipped", async () => {
    const { s, env } = await rig();
    const result = await run(["register", "--url", URL_OURS, "--events", "order:*,!order:mass*,customer:enableOrders"], env);
    expect(result.code).toBe(0);
    // order:* does not pick a side: the default keeps order:update
    expect(eventsAt(s, URL_OURS)).toEqual(["customer:enableOrders", "order:create", "order:delete", "order:paid", "order:update"]);
    expect(result.stdout).toMatch(/- order:cancel\s+skipped — Shoptet refuses order:update and order:cancel together \(409\); chose order:update/);

    const { s: s2, env: env2 } = await (async () => {
      await s.close();
      return rig();
    })();
    const named = await run(["register", "--url", URL_OURS, "--events", "order:update,order:cancel,customer:disableOrders"], env2);
    expect(named.code).toBe(0);
    expect(eventsAt(s2, URL_OURS)).toEqual(["customer:disableOrders", "order:update"]);
    expect(named.stdout).toMatch(/- order:cancel\s+skipped — Shoptet refuses order:update and order:cancel together \(409\); both were asked for, chose order:update/);
  });

  it("skips an event whose partner is already registered, and says how to switch", async () => {
    const { s, env } = await rig();
    s.addWebhook("order:update", URL_OURS);
    const result = await run(["register", "--url", URL_OURS, "--events", "order:cancel,stock:movement"], env);
    expect(result.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toEqual(["order:update", "stock:movement"]);
    expect(result.stdout).toMatch(/- order:cancel\s+skipped — order:update is registered \(id 1, this URL\) and Shoptet refuses order:cancel next to it \(409\): run `stockwatch webhooks unregister --events order:update` first/);
    expect(result.stdout).toContain("also registered to this URL, not asked for now");
  });

  it("handles Shoptet's 422 for an event that appeared since the listing: re-lists, then adds the rest one by one", async () => {
    const { s, env } = await rig();
    s.addWebhook("stock:movement", URL_OURS);
    // The first listing is stale: it misses the registration above.
    s.failNext("GET /api/webhooks", {
      status: 200,
      body: { data: { webhooks: [], paginator: { totalCount: 0, page: 1, pageCount: 1, itemsOnPage: 0, itemsPerPage: 500 } }, errors: null, metadata: { requestId: "r" } },
    });
    const result = await run(["register", "--url", URL_OURS, "--stock-only"], env);
    expect(result.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toEqual([...STOCK_EVENTS].sort());
    // one refused batch of 4, then the 3 missing ones singly
    const posts = s.requests.filter((r) => r.route === "POST /api/webhooks").map((r) => (r.body as { data: unknown[] }).data.length);
    expect(posts).toEqual([4, 1, 1, 1]);
    expect(result.stdout).toMatch(/= stock:movement\s+already registered \(id 1\)/);
    expect(result.stdout).toContain("3 added, 0 re-pointed, 1 already registered");
  });

  it("handles a 409 for a conflict Shoptet knows better: the event is reported as skipped with Shoptet's words", async () => {
    const { s, env } = await rig();
    s.addWebhook("order:update", "https://erp.example.com/hooks");
    s.failNext("GET /api/webhooks", {
      status: 200,
      body: { data: { webhooks: [], paginator: { totalCount: 0, page: 1, pageCount: 1, itemsOnPage: 0, itemsPerPage: 500 } }, errors: null, metadata: { requestId: "r" } },
    });
    const result = await run(["register", "--url", URL_OURS, "--events", "order:cancel,stock:movement"], env);
    expect(result.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toEqual(["stock:movement"]);
    expect(result.stdout).toMatch(/- order:cancel\s+skipped — order:update is registered \(id 1, https:\/\/erp\.example\.com\/hooks\) and Shoptet refuses order:cancel next to it \(409\)/);
    expect(result.stderr).toContain('rule "order-cancelled" matches order:cancel, which is not delivered to this URL');
  });

  it("copes with a 201 that created only part of the list (errors for the rest)", async () => {
    const { s, env } = await rig({ webhookCreateMode: "partial" });
    s.addWebhook("stock:soldOut", URL_OURS);
    s.failNext("GET /api/webhooks", {
      status: 200,
      body: { data: { webhooks: [], paginator: { totalCount: 0, page: 1, pageCount: 1, itemsOnPage: 0, itemsPerPage: 500 } }, errors: null, metadata: { requestId: "r" } },
    });
    const result = await run(["register", "--url", URL_OURS, "--stock-only"], env);
    expect(result.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toEqual([...STOCK_EVENTS].sort());
    expect(s.count("POST /api/webhooks")).toBe(1);
    expect(result.stdout).toContain("3 added, 0 re-pointed, 1 already registered");
  });

  it("reads every page of a long list and adds only what is missing", async () => {
    const { s, env } = await rig({ webhooksPerPageMax: 20 });
    const all = registrableEvents().filter((e) => !["order:cancel", "customer:disableOrders", "customer:enableOrders"].includes(e));
    for (const e of all.slice(0, 45)) s.addWebhook(e, URL_OURS);
    const result = await run(["register", "--url", URL_OURS, "--all"], env);
    expect(result.code).toBe(0);
    const pages = s.requests.filter((r) => r.route === "GET /api/webhooks").map((r) => r.query.get("page"));
    expect(pages.slice(0, 3)).toEqual(["1", "2", "3"]);
    const posted = s.requests
      .filter((r) => r.route === "POST /api/webhooks")
      .flatMap((r) => (r.body as { data: { event: string }[] }).data.map((d) => d.event));
    expect(posted.sort()).toEqual(all.slice(45).sort());
    expect(eventsAt(s, URL_OURS)).toEqual([...all].sort());
  });

  it("re-points an old address of this daemon (same path), leaves another receiver's URL alone unless --take-over", async () => {
    const { s, env } = await rig();
    const old = s.addWebhook("stock:movement", "https://old-host.example.com:8443/webhooks/shoptet");
    const erp = s.addWebhook("stock:soldOut", "https://erp.example.com/shoptet-hook");
    const result = await run(["register", "--url", URL_OURS, "--stock-only"], env);
    expect(result.code).toBe(1);
    expect(s.webhooks().find((w) => w.id === old.id)!.url).toBe(URL_OURS);
    expect(s.webhooks().find((w) => w.id === erp.id)!.url).toBe("https://erp.example.com/shoptet-hook");
    expect(result.stdout).toMatch(/~ stock:movement\s+URL updated \(id 1\) — registered to an older address of this daemon \(same path\); was https:\/\/old-host/);
    expect(result.stdout).toMatch(/- stock:soldOut\s+skipped — registered to https:\/\/erp\.example\.com\/shoptet-hook/);
    expect(result.stderr).toContain("not done: stock:soldOut goes to another URL; re-run with --take-over");

    const taken = await run(["register", "--url", URL_OURS, "--stock-only", "--take-over"], env);
    expect(taken.code).toBe(0);
    expect(s.webhooks().find((w) => w.id === erp.id)!.url).toBe(URL_OURS);
  });

  it("--dry-run shows the plan and changes nothing", async () => {
    const { s, env } = await rig();
    const result = await run(["register", "--url", URL_OURS, "--stock-only", "--dry-run"], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("dry run: nothing changed at Shoptet");
    expect(result.stdout).toMatch(/\? stock:movement\s+would add/);
    expect(writes(s)).toEqual([]);
    expect(s.webhooks()).toEqual([]);
  });

  it.each([
    ["port 3000", "https://stock.example.com:3000/webhooks/shoptet", "only to ports 80, 8080, 443, 8443, not 3000"],
    ["port 8081", "http://stock.example.com:8081/webhooks/shoptet", "not 8081"],
    ["ftp", "ftp://stock.example.com/webhooks/shoptet", "over http(s) only"],
    ["no scheme", "stock.example.com/webhooks/shoptet", "is not a URL"],
    ["2001+ characters", `https://stock.example.com/webhooks/shoptet?pad=${"x".repeat(2000)}`, "at most 2000"],
  ])("refuses a URL with %s before calling Shoptet", async (_label, url, message) => {
    const { s, env } = await rig();
    const result = await run(["register", "--url", url], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(s.requests).toEqual([]);
  });

  it("accepts the default ports and the four Shoptet ports, and adds the path when none is given", async () => {
    const { s, env } = await rig();
    const result = await run(["register", "--url", "https://stock.example.com:8443", "--events", "stock:movement"], env);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("no path given: using https://stock.example.com:8443/webhooks/shoptet");
    expect(eventsAt(s, "https://stock.example.com:8443/webhooks/shoptet")).toEqual(["stock:movement"]);
    // :443 on https is the same URL as none: already registered, nothing new
    const again = await run(["register", "--url", "https://STOCK.example.com:8443/webhooks/shoptet", "--events", "stock:movement"], env);
    expect(again.stdout).toContain("1 already registered");
  });

  it("refuses unknown and system events with a suggestion", async () => {
    const { env } = await rig();
    const typo = await run(["register", "--url", URL_OURS, "--events", "stock:soldout"], env);
    expect(typo.code).toBe(2); // a usage error
    expect(typo.stderr).toContain('unknown event type "stock:soldout" (did you mean "stock:soldOut"?)');
    const system = await run(["register", "--url", URL_OURS, "--events", "addon:uninstall"], env);
    expect(system.stderr).toContain("addon:uninstall is a system webhook");
  });

  it("takes the URL from STOCKWATCH_PUBLIC_URL and asks for one when there is none", async () => {
    const { s, env } = await rig();
    const none = await run(["register"], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("pass --url https://<your host>/webhooks/shoptet, or set STOCKWATCH_PUBLIC_URL");
    const fromEnv = await run(["register", "--stock-only"], { ...env, STOCKWATCH_PUBLIC_URL: URL_OURS });
    expect(fromEnv.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toHaveLength(4);
  });
});

describe("stockwatch webhooks list / unregister / rotate-key", () => {
  it("lists every registration and marks this daemon's", async () => {
    const { s, env } = await rig();
    s.addWebhook("stock:movement", URL_OURS);
    s.addWebhook("order:create", "https://erp.example.com/hooks");
    const result = await run(["list", "--url", URL_OURS], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`e-shop ${ESHOP}: 2 webhooks; 1 to ${URL_OURS}`);
    expect(result.stdout).toMatch(/1\s+stock:movement\s+https:\/\/stock\.example\.com\/webhooks\/shoptet {2}\(this daemon\)/);
    expect(result.stdout).toMatch(/2\s+order:create\s+https:\/\/erp\.example\.com\/hooks\n/);
  });

  it("unregister deletes only the webhooks of this daemon's URL", async () => {
    const { s, env } = await rig();
    s.addWebhook("stock:movement", URL_OURS);
    s.addWebhook("stock:soldOut", URL_OURS);
    s.addWebhook("product:update", URL_OURS);
    s.addWebhook("order:create", "https://erp.example.com/hooks");
    s.addWebhook("order:update", "https://stock.example.com/other-path");

    const some = await run(["unregister", "--url", URL_OURS, "--events", "stock:soldOut"], env);
    expect(some.code).toBe(0);
    expect(eventsAt(s, URL_OURS)).toEqual(["product:update", "stock:movement"]);

    const rest = await run(["unregister", "--url", URL_OURS], env);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain("removed 2 webhooks");
    expect(rest.stdout).toContain("2 webhooks of other URLs left alone");
    expect(s.webhooks().map((w) => w.url).sort()).toEqual(["https://erp.example.com/hooks", "https://stock.example.com/other-path"]);
    expect(s.requests.filter((r) => r.route === "DELETE /api/webhooks/{id}")).toHaveLength(3);

    const again = await run(["unregister", "--url", URL_OURS], env);
    expect(again.stdout).toContain("nothing registered to");
  });

  it("rotate-key prints the new key once, on stdout only, with what to do on stderr", async () => {
    const { s, env } = await rig();
    const result = await run(["rotate-key"], env);
    expect(result.code).toBe(0);
    expect(s.signatureKey).toMatch(/^[0-9a-f]{32}$/);
    // the e-shop id came from GET /api/eshop (the default token does not say)
    expect(result.stdout).toBe(`SHOPTET_WEBHOOK_KEY_${ESHOP}=${s.signatureKey}\n`);
    expect(result.stderr).not.toContain(s.signatureKey!);
    expect(result.stderr).toContain("restart the daemon");
    expect(result.stderr).toContain("the old key no longer verifies");
    expect(s.count("POST /api/webhooks/renew-signature-key")).toBe(1);
  });
});

describe("stockwatch webhooks: tokens and e-shops", () => {
  it("without a token exits 1 and names the variable to set, calling nothing", async () => {
    const { s, env } = await rig();
    const result = await run(["list"], { ...env, SHOPTET_API_TOKEN: undefined });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("set SHOPTET_API_TOKEN (or SHOPTET_API_TOKEN_<eshopId>)");
    expect(s.requests).toEqual([]);
  });

  it("needs --eshop when several e-shops have tokens, and then uses that e-shop's token", async () => {
    const { s, env } = await rig();
    const several = { ...env, SHOPTET_API_TOKEN: undefined, [`SHOPTET_API_TOKEN_${ESHOP}`]: s.token, SHOPTET_API_TOKEN_333: "other-token" };
    const ambiguous = await run(["list"], several);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain(`several e-shops have API tokens (SHOPTET_API_TOKEN_333, SHOPTET_API_TOKEN_${ESHOP}): pass --eshop <id>`);
    const chosen = await run(["rotate-key", "--eshop", String(ESHOP)], several);
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toBe(`SHOPTET_WEBHOOK_KEY_${ESHOP}=${s.signatureKey}\n`);
    expect(s.count("GET /api/eshop")).toBe(0);
    const missing = await run(["list", "--eshop", "444"], several);
    expect(missing.stderr).toContain("set SHOPTET_API_TOKEN_444");
  });

  it("a rejected token exits 1 with what to fix, and never prints the token", async () => {
    const { env } = await rig();
    const result = await run(["list"], { ...env, SHOPTET_API_TOKEN: "wrong-token-123" });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Shoptet rejected the API token");
    expect(result.stderr).toContain("SHOPTET_API_TOKEN");
    expect(result.stderr + result.stdout).not.toContain("wrong-token-123");
  });

  it("refuses flags that do not belong to the command", async () => {
    const { s, env } = await rig();
    const result = await run(["list", "--all"], env);
    expect(result.code).toBe(2); // a usage error
    expect(result.stderr).toContain('stockwatch webhooks list: unknown option "--all"');
    expect(s.requests).toEqual([]);
  });
});
