import type { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/test-app.js";
import { envelope, postWebhook } from "../helpers/webhooks.js";
import { waitFor } from "../helpers/wait-for.js";

describe("engine thread", () => {
  it("is started again when it dies, with its loops; webhooks are stored meanwhile", async () => {
    const { app, url } = await startTestApp();
    expect((await postWebhook(url, envelope("order:create", "2026000101"))).status).toBe(200);

    const thread = (app.engine as unknown as { worker: Worker }).worker;
    await thread.terminate();
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503); // its loops are reported stopped while it is down
    // The HTTP thread commits webhooks itself: they do not wait for the engine to be back.
    expect((await postWebhook(url, envelope("order:create", "2026000102"))).status).toBe(200);

    await waitFor("/healthz to be 200 again", async () => (await fetch(`${url}/healthz`)).status === 200, 15_000);
    const after = await postWebhook(url, envelope("order:create", "2026000103"));
    expect(after.status).toBe(200);
    expect(app.db.prepare("SELECT count(*) AS n FROM events").get()).toEqual({ n: 3 });
    // The new thread's loops read what was stored while none ran.
    await waitFor("the rules' feed to reach the last event", async () => {
      const row = app.db.prepare("SELECT position FROM cursors WHERE name = 'event-rules'").get() as { position: number } | undefined;
      return row?.position === 3;
    }, 15_000);
  }, 30_000);
});
