import { afterEach, describe, expect, it } from "vitest";
import { inspectDb, query, waitFor } from "./harness/db-check.js";
import { FaultProxy } from "./harness/fault-proxy.js";
import { adminGet, ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS, secretsIn, storedText } from "./harness/secrets.js";
import { notification, shoptetTime, ShoptetSender } from "./harness/sender.js";

let rig: Rig | undefined;
let proxy: FaultProxy | undefined;
afterEach(async () => {
  await rig?.close();
  await proxy?.close();
  rig = proxy = undefined;
});

const movementsOf = (stock: number) => new RegExp(`^/api/stocks/${stock}/movements\\?`);

describe("the Shoptet API misbehaves (through a fault proxy, against the whole daemon)", () => {
  it(
    "429 with a date Retry-After, 503s, a connection reset and a response that never ends: every read is retried and succeeds, and the alerts go out",
    async () => {
      rig = await startRig({
        shoptetUrl: async (standin) => {
          proxy = await new FaultProxy(standin.url).start();
          return proxy.url;
        },
      });
      const { shoptet, slack, daemon } = rig;
      const p = proxy!;
      const stocks = [11, 12, 13, 14];
      for (const s of stocks) {
        shoptet.addStock(s);
        shoptet.addProduct({ guid: `g-F-${s}`, name: `Fault ${s}`, variants: [{ code: `F-${s}`, minStockSupply: 2, amounts: { [s]: 5 } }] });
      }
      let retryAfterDate = 0;
      p.failNext(movementsOf(11), (now) => {
        // An HTTP date, as Shoptet sends it: whole seconds, at least 2 s ahead.
        retryAfterDate = Math.floor(now / 1000) * 1000 + 3000;
        return { status: 429, headers: { "retry-after": new Date(retryAfterDate).toUTCString() } };
      });
      p.failNext(movementsOf(12), { status: 503 }, { status: 503 });
      p.failNext(movementsOf(13), "reset");
      p.failNext(movementsOf(14), "partial");

      await daemon.start();
      const sender = new ShoptetSender(() => daemon.url);
      for (const s of stocks) {
        shoptet.move(s, `F-${s}`, -5);
        const n = notification(`m${s}`, { eshopId: ESHOP, event: "stock:movement", eventCreated: shoptetTime(Date.now()), eventInstance: String(s) }, SECRETS.webhookKey);
        expect(await sender.deliver(n)).toBe(true);
      }
      sender.close();

      // The never-ending response is cut by the client's timeout (20 s), then read again.
      const products = await waitFor(
        "all four products sold out in stockwatch",
        async () => {
          const list = (await adminGet<{ products: { code: string; level: string; quantity: number }[] }>(daemon, "/api/products?level=soldOut")).products;
          return list.length === 4 ? list : undefined;
        }, { timeoutMs: 45_000, everyMs: 250 }
      );
      expect(products.map((x) => x.code).sort()).toEqual(stocks.map((s) => `F-${s}`));
      await waitFor("four sold-out alerts on Slack", () => slack.ok("chat.postMessage").length >= 4, 15_000);
      for (const s of stocks) expect(slack.ok("chat.postMessage").some((c) => String(c.params.text).includes(`F-${s}`))).toBe(true);

      expect(p.pendingFaults).toBe(0);
      const outcomes = (s: number) => p.requests(movementsOf(s)).map((r) => r.outcome);
      expect(outcomes(11).slice(0, 2)).toEqual(["429", "pass"]);
      expect(outcomes(12).slice(0, 3)).toEqual(["503", "503", "pass"]);
      expect(outcomes(13).slice(0, 2)).toEqual(["reset", "pass"]);
      expect(outcomes(14).slice(0, 2)).toEqual(["partial", "pass"]);
      // Retry-After was honoured: the retry came no earlier than the date Shoptet gave.
      const retried = p.requests(movementsOf(11))[1]!;
      expect(retried.at).toBeGreaterThanOrEqual(retryAfterDate - 20);

      const report = inspectDb(rig.dbPath);
      expect(report.jobs.dead ?? 0).toBe(0);
      expect((report.jobs.pending ?? 0) + (report.jobs.running ?? 0)).toBe(0);
      expect(await daemon.stop()).toBe(0);
      expect(secretsIn(daemon.text())).toEqual([]);
      expect(secretsIn(storedText(rig.dbPath))).toEqual([]);
    },
    90_000,
  );

  it("a wrong API token ends the job dead with an error naming SHOPTET_API_TOKEN, and the token is neither logged nor stored", async () => {
    const wrong = "wrongshoptettok0reliab3f";
    rig = await startRig({ env: { SHOPTET_API_TOKEN: wrong } });
    const { shoptet, daemon } = rig;
    shoptet.addStock(21);
    shoptet.addProduct({ guid: "g-T", name: "Token", variants: [{ code: "T-1", amounts: { 21: 3 } }] });
    await daemon.start();
    const sender = new ShoptetSender(() => daemon.url);
    shoptet.move(21, "T-1", -1);
    const n = notification("t", { eshopId: ESHOP, event: "stock:movement", eventCreated: shoptetTime(Date.now()), eventInstance: "21" }, SECRETS.webhookKey);
    expect(await sender.deliver(n)).toBe(true);
    sender.close();
    const dead = await waitFor("the job to end dead", () => query<{ last_error: string }>(rig!.dbPath, "SELECT last_error FROM jobs WHERE status = 'dead'")[0], { timeoutMs: 15_000, everyMs: 100 });
    expect(dead.last_error).toMatch(/401|token/i);
    expect(dead.last_error).toMatch(/SHOPTET_API_TOKEN/);
    expect(await daemon.stop()).toBe(0);
    const everything = `${daemon.text()}\n${storedText(rig.dbPath)}`;
    expect(everything).not.toContain(wrong);
    expect(secretsIn(everything)).toEqual([]);
  }, 30_000);
});
