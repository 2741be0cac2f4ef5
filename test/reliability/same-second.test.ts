import { afterEach, describe, expect, it } from "vitest";
import { query, waitFor } from "./harness/db-check.js";
import { ESHOP, startRig, type Rig } from "./harness/rig.js";
import { SECRETS } from "./harness/secrets.js";
import { notification, shoptetTime, ShoptetSender } from "./harness/sender.js";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/**
 * Found by the crash test: Shoptet's eventCreated has one-second resolution, so a second movement
 * in a warehouse within the same second arrives as a notification identical to the first. It is
 * rightly stored once — but it must still get the warehouse read again, or its movement waits for
 * the next webhook of that warehouse (hours, in a quiet shop).
 */
describe("two movements in one warehouse within one second", () => {
  it("the second, identical notification (answered as a duplicate) still gets its movement read", async () => {
    rig = await startRig();
    const { shoptet, daemon, dbPath } = rig;
    shoptet.addStock(1);
    shoptet.addProduct({ guid: "g-SS", name: "Same second", variants: [{ code: "SS-1", minStockSupply: 1, amounts: { 1: 10 } }] });
    await daemon.start();
    const sender = new ShoptetSender(() => daemon.url);
    const envelope = { eshopId: ESHOP, event: "stock:movement", eventCreated: shoptetTime(Date.now()), eventInstance: "1" };
    const movements = () => query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM stock_movements")[0]!.n;

    shoptet.move(1, "SS-1", -1);
    expect(await sender.deliver(notification("first", envelope, SECRETS.webhookKey))).toBe(true);
    await waitFor("the first movement to be read", () => movements() === 1, 10_000);

    shoptet.move(1, "SS-1", -1);
    const second = notification("second", envelope, SECRETS.webhookKey);
    expect(await sender.deliver(second)).toBe(true);
    expect(second.acked).toMatchObject({ duplicate: true });
    await waitFor("the second movement to be read", () => movements() === 2, 10_000);
    expect(query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM events")[0]!.n).toBe(1);
    sender.close();
  }, 30_000);
});
