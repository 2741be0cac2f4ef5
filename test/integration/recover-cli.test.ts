import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.js";
import { openDatabase } from "../../src/db/open-database.js";
import { SqliteEventStore } from "../../src/store/sqlite/event-store.js";
import { formatShoptetTime } from "../../src/shoptet/shoptet-time.js";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startShoptetStandin, webhookEvent } from "../helpers/shoptet-standin.js";
import { tempDbPath } from "../helpers/temp-dir.js";

const ESHOP = 222651;
const closers = closeAfterEach();

function io(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, stdout: () => out, stderr: () => err };
}

async function rig() {
  const shoptet = await startShoptetStandin({ eshopId: ESHOP, token: "shoptet-secret-token-1" });
  closers.push(() => shoptet.close());
  const dbPath = tempDbPath();
  const env = { STOCKWATCH_DB: dbPath, SHOPTET_API_URL: shoptet.url, SHOPTET_API_TOKEN: shoptet.token };
  return { shoptet, dbPath, env };
}

/** Whole seconds in the last half hour, so the log's times and the stored ones match exactly. */
const at = (minutesAgo: number) => Math.floor((Date.now() - minutesAgo * 60_000) / 1000) * 1000;

describe("stockwatch recover", () => {
  it("stores the failed and given-up notifications it lacks, once; a second run finds them all stored", async () => {
    const { shoptet, dbPath, env } = await rig();
    // Two of them arrived as webhooks before the daemon went down.
    const db = openDatabase(dbPath);
    new SqliteEventStore(db).insertBatch([webhookEvent(ESHOP, "stock:movement", "1", at(30)), webhookEvent(ESHOP, "order:create", "2026000001", at(29))]);
    db.close();
    const log = (event: string, instance: string, createdMs: number, options: Parameters<typeof shoptet.addNotification>[1] = {}) =>
      shoptet.addNotification({ event, eventInstance: instance, eventCreated: formatShoptetTime(createdMs) }, options);
    log("stock:movement", "1", at(30)); // stored already
    log("order:create", "2026000001", at(29)); // stored already
    log("stock:movement", "1", at(20));
    log("stock:soldOut", "KAV-1", at(19));
    log("order:create", "2026000002", at(18), { status: "failed", active: true, attempts: 1 }); // Shoptet still retrying
    log("order:create", "2026000003", at(17), { status: "new", active: false }); // given up undelivered
    log("order:create", "2026000004", at(16), { status: "success" }); // delivered: not read
    log("order:create", "2026000005", at(1), { status: "new", active: true }); // queued: not yet

    const first = io();
    expect(await runCli(["recover"], env, first)).toBe(0);
    expect(first.stdout()).toMatch(/^recovered 4 of 6 notifications for e-shop 222651 \(2 already stored\) in \d+\.\d s\n$/);
    expect(first.stderr()).toBe(""); // not a terminal: no counter

    const check = openDatabase(dbPath);
    closers.push(() => check.close());
    const rows = check.prepare("SELECT event, event_instance AS instance, source FROM events ORDER BY id").all();
    expect(rows).toEqual([
      { event: "stock:movement", instance: "1", source: "webhook" },
      { event: "order:create", instance: "2026000001", source: "webhook" },
      { event: "stock:movement", instance: "1", source: "recovered" },
      { event: "stock:soldOut", instance: "KAV-1", source: "recovered" },
      { event: "order:create", instance: "2026000002", source: "recovered" },
      { event: "order:create", instance: "2026000003", source: "recovered" },
    ]);
    // The stock events asked for their jobs exactly as webhooks do (the first webhook's read is pending too, folded).
    expect(check.prepare("SELECT kind, subject, coalesced FROM jobs ORDER BY id").all()).toEqual([
      { kind: "movement-read", subject: "1", coalesced: 2 },
      { kind: "product-level", subject: "KAV-1", coalesced: 1 },
    ]);
    expect(check.prepare("SELECT event, n FROM recovered_event_counts ORDER BY event").all()).toEqual([
      { event: "order:create", n: 2 },
      { event: "stock:movement", n: 1 },
      { event: "stock:soldOut", n: 1 },
    ]);
    // `from` went out with its + encoded, and only failed / given-up notifications were asked for.
    const asked = shoptet.requests.filter((r) => r.route === "GET /api/webhooks/notifications").map((r) => [r.query.get("status"), r.query.get("active")]);
    expect(asked).toEqual([
      ["failed", null],
      ["new", "false"],
    ]);

    const second = io();
    expect(await runCli(["recover"], env, second)).toBe(0);
    expect(second.stdout()).toMatch(/^recovered 0 of 6 notifications for e-shop 222651 \(6 already stored\) in \d+\.\d s\n$/);
    expect(check.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 6 });
    expect(check.prepare("SELECT kind, subject, coalesced FROM jobs ORDER BY id").all()).toHaveLength(2);
  });

  it("shows a counter on stderr when it is a terminal, and still one summary line on stdout", async () => {
    const { shoptet, env } = await rig();
    for (let i = 0; i < 3; i++) shoptet.addNotification({ event: "order:create", eventInstance: `T${i}`, eventCreated: formatShoptetTime(at(10 + i)) });
    const a = io();
    let tty = "";
    const stream = { isTTY: true, write: (s: string) => ((tty += s), true) };
    expect(await runCli(["recover", "--eshop", "222651"], env, a, { progressStream: stream })).toBe(0);
    expect(tty).toContain("\rreading notifications of e-shop 222651 [");
    expect(tty.endsWith("\r\x1b[K")).toBe(true); // the live line is cleared
    expect(a.stdout()).toMatch(/^recovered 3 of 3 notifications for e-shop 222651 \(0 already stored\) in \d+\.\d s\n$/);
  });

  it("says which variable to set when there is no API token, and refuses an e-shop without one", async () => {
    const { dbPath, shoptet } = await rig();
    const none = io();
    expect(await runCli(["recover"], { STOCKWATCH_DB: dbPath, SHOPTET_API_URL: shoptet.url }, none)).toBe(1);
    expect(none.stderr()).toContain("set SHOPTET_API_TOKEN_<eshopId> (or SHOPTET_API_TOKEN)");
    const other = io();
    expect(await runCli(["recover", "--eshop", "999"], { STOCKWATCH_DB: dbPath, SHOPTET_API_URL: shoptet.url, SHOPTET_API_TOKEN_222651: "t" }, other)).toBe(1);
    expect(other.stderr()).toContain("no Shoptet API token for e-shop 999: set SHOPTET_API_TOKEN_999");
    const bad = io();
    expect(await runCli(["recover", "--since", "yesterday"], { STOCKWATCH_DB: dbPath }, bad)).toBe(2); // a usage error
    expect(bad.stderr()).toContain('--since takes a duration like 30m, 24h or 7d, got "yesterday"');
    expect(shoptet.count("GET /api/webhooks/notifications")).toBe(0);
    expect(existsSync(dbPath)).toBe(false); // refused before the database was opened (or created)
  });

  it("exits 1 when Shoptet cannot be reached, naming the URL but never the token", async () => {
    const { dbPath, shoptet } = await rig();
    const url = shoptet.url;
    await shoptet.close();
    const out = io();
    const env = { STOCKWATCH_DB: dbPath, SHOPTET_API_URL: url, SHOPTET_API_TOKEN_222651: "shoptet-secret-token-1" };
    expect(await runCli(["recover"], env, out)).toBe(1);
    expect(out.stderr()).toContain(`recovery of e-shop 222651 failed: cannot reach the Shoptet API at ${url}`);
    expect(out.stderr()).toContain("check SHOPTET_API_URL");
    expect(out.stderr()).not.toContain("shoptet-secret-token-1");
    expect(out.stdout()).toBe("");
  }, 20_000);
});
