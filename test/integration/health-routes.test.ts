import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { closeAfterEach } from "../helpers/cleanup.js";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";

const closers = closeAfterEach();

/**
 * Another connection to the daemon's database file (a CLI command, or `sqlite3` by hand). Like a
 * CLI command it waits for the daemon's own short transactions (the engine may be writing when the
 * test takes the lock).
 */
function otherConnection(dbPath: string): Database.Database {
  const conn = new Database(dbPath);
  conn.pragma("busy_timeout = 5000");
  closers.push(() => conn.close());
  return conn;
}

async function getChecks(url: string, route: "/healthz" | "/readyz"): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${route}`);
  return { status: res.status, body: await res.json() };
}

describe("/healthz and /readyz while another process holds the write lock", () => {
  it("both answer 200 without writing, and a webhook sent meanwhile is stored once the lock is released", async () => {
    const { url, dbPath, app } = await startTestApp({}, { ingestBusyTimeoutMs: 30_000 });
    expect((await postWebhook(url, envelope("order:create", "HEALTH-1"))).status).toBe(200);

    const cli = otherConnection(dbPath);
    cli.exec("BEGIN IMMEDIATE");
    const heartbeatsBefore = cli.prepare("SELECT name, at FROM heartbeat").all();
    // The webhook waits for the lock without holding the HTTP thread (busy_timeout=0 + retries).
    const pending = postWebhook(url, envelope("order:create", "HEALTH-2"));

    // Before: /healthz wrote a heartbeat row on the HTTP thread and, this process being the one that
    // holds the lock, waited out its 5 s busy timeout and answered 503 "database is locked".
    const health = await getChecks(url, "/healthz");
    expect(health.status).toBe(200);
    expect(health.body.ok).toBe(true);
    expect(health.body.checks.database).toBe(true);
    expect(Object.keys(health.body.checks)).toEqual(expect.arrayContaining(["database", "stock", "delivery", "event-rules"]));
    const ready = await getChecks(url, "/readyz");
    expect(ready).toEqual({ status: 200, body: { ok: true, checks: { webhooks: true, database: true, engine: true } } });

    expect(cli.prepare("SELECT name, at FROM heartbeat").all()).toEqual(heartbeatsBefore);
    cli.exec("COMMIT");
    expect((await pending).status).toBe(200);
    expect(app.db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 2 });
    // Nor did any health request write later: the table stays as it was.
    await getChecks(url, "/healthz");
    expect(app.db.prepare("SELECT count(*) AS n FROM heartbeat").get()).toEqual({ n: heartbeatsBefore.length });
  });

  it("/readyz answers 503 naming the lock while webhooks get 503 for it; /healthz stays 200; both recover with the next stored batch", async () => {
    const { url, dbPath } = await startTestApp({}, { ingestBusyTimeoutMs: 50 });
    const cli = otherConnection(dbPath);
    cli.exec("BEGIN IMMEDIATE");
    expect((await postWebhook(url, envelope("order:create", "HEALTH-3"))).status).toBe(503);

    const ready = await getChecks(url, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.ok).toBe(false);
    expect(ready.body.checks.webhooks).toMatch(/^the last webhook batch was answered 503: .*SQLITE_BUSY.*write lock/);
    expect(ready.body.checks.database).toBe(true);
    // Waiting for someone else's lock is not a broken daemon: nothing a restart would fix.
    expect((await getChecks(url, "/healthz")).status).toBe(200);

    cli.exec("COMMIT");
    expect((await postWebhook(url, envelope("order:create", "HEALTH-3"))).status).toBe(200);
    expect(await getChecks(url, "/readyz")).toEqual({ status: 200, body: { ok: true, checks: { webhooks: true, database: true, engine: true } } });
  });
});

describe("/healthz and /readyz when writes fail", () => {
  it("a batch that fails for another reason than the lock makes both 503 with the reason, until one is stored", async () => {
    const { url, dbPath } = await startTestApp();
    expect((await getChecks(url, "/healthz")).status).toBe(200);
    // Every insert into events fails, as a failing disk would make it.
    const other = otherConnection(dbPath);
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'no room for the event'); END");
    expect((await postWebhook(url, envelope("order:create", "HEALTH-4"))).status).toBe(503);

    const health = await getChecks(url, "/healthz");
    expect(health.status).toBe(503);
    expect(health.body.checks.database).toMatch(/^not writable: no room for the event/);
    const ready = await getChecks(url, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.checks.webhooks).toMatch(/no room for the event/);

    other.exec("DROP TRIGGER refuse");
    expect((await postWebhook(url, envelope("order:create", "HEALTH-4"))).status).toBe(200);
    expect((await getChecks(url, "/healthz")).status).toBe(200);
    expect((await getChecks(url, "/readyz")).status).toBe(200);
  });

  it("/readyz reports an engine thread that is down (webhooks are stored, nothing comes of them yet)", async () => {
    const { url, app } = await startTestApp();
    const thread = (app.engine as unknown as { worker: import("node:worker_threads").Worker }).worker;
    await thread.terminate();
    const ready = await getChecks(url, "/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body.checks.engine).toMatch(/^not running: .*stock/);
    expect(ready.body.checks.webhooks).toBe(true);
  });
});
