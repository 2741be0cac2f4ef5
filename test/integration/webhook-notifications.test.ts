import { afterEach, describe, expect, it } from "vitest";
import { FixedClock } from "../../src/shared/clock.js";
import { ShoptetClient } from "../../src/shoptet/shoptet-client.js";
import { notificationQueryParams, parseNotifications } from "../../src/shoptet/webhook-notifications.js";
import { startShoptetStandin, type ShoptetStandin } from "../helpers/shoptet-standin.js";

let standin: ShoptetStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe("parseNotifications", () => {
  it("reads the spec's example item and paginator", () => {
    const page = parseNotifications({
      notifications: [
        {
          id: 992801,
          webhookId: 10201,
          webhookUrl: "https://myapplication.tld/orders.php",
          event: "order:create",
          eventCreated: "2018-05-29T09:02:27+0200",
          created: "2018-05-29T09:02:28+0200",
          attempted: null,
          attempts: 3,
          status: "failed",
          active: true,
          data: { eshopId: 1, event: "order:create", eventCreated: "2018-05-29T09:02:27+0200", eventInstance: "2018000057" },
        },
      ],
      paginator: { totalCount: 1, page: 1, pageCount: 1, itemsOnPage: 1, itemsPerPage: 20 },
    });
    expect(page.notifications).toEqual([
      {
        id: 992801,
        webhookId: 10201,
        event: "order:create",
        createdMs: Date.parse("2018-05-29T07:02:28Z"),
        attempts: 3,
        status: "failed",
        active: true,
        data: { eshopId: 1, event: "order:create", eventCreated: "2018-05-29T09:02:27+0200", eventInstance: "2018000057" },
      },
    ]);
    expect(page.paginator).toEqual({ totalCount: 1, page: 1, pageCount: 1, itemsOnPage: 1, itemsPerPage: 20 });
  });

  it("rejects an item without its body or id", () => {
    expect(() => parseNotifications({ notifications: [{ id: 1, event: "x:y", status: "failed" }], paginator: null })).toThrow();
    expect(() => parseNotifications({ notifications: [{ event: "x:y", status: "failed", data: {} }], paginator: null })).toThrow();
  });

  it("builds the query: from in Shoptet's form, itemsPerPage clamped to 500", () => {
    expect(notificationQueryParams({ status: "new", active: false, fromMs: Date.parse("2026-12-05T07:00:00Z"), page: 2, itemsPerPage: 9000 })).toEqual({
      status: "new",
      active: "false",
      event: undefined,
      from: "2026-12-05T07:00:00+0000",
      itemsPerPage: 500,
      page: 2,
    });
  });
});

describe("ShoptetClient.webhookNotifications against the stand-in", () => {
  it("filters by status, active and from (the + of the offset arrives encoded), and pages by 500", async () => {
    const clock = new FixedClock(Date.parse("2026-12-05T08:00:00Z"));
    standin = await startShoptetStandin({ clock });
    const client = new ShoptetClient({ baseUrl: standin.url, tokenFor: () => standin!.token, clock });
    const at = (min: number) => new Date(Date.parse("2026-12-05T06:00:00Z") + min * 60_000).toISOString().slice(0, 19) + "+0000";
    for (let i = 0; i < 520; i++) standin.addNotification({ event: "stock:movement", eventInstance: "1", eventCreated: at(i % 100) }, { status: "failed" });
    standin.addNotification({ event: "order:create", eventInstance: "A1", eventCreated: at(10) }, { status: "success" });
    standin.addNotification({ event: "order:create", eventInstance: "A2", eventCreated: at(10) }, { status: "new", active: false });

    const first = await client.webhookNotifications(standin.eshopId, { status: "failed", page: 1 });
    expect(first.notifications).toHaveLength(500);
    expect(first.paginator).toMatchObject({ totalCount: 520, page: 1, pageCount: 2, itemsPerPage: 500 });
    const second = await client.webhookNotifications(standin.eshopId, { status: "failed", page: 2 });
    expect(second.notifications).toHaveLength(20);

    const late = await client.webhookNotifications(standin.eshopId, { status: "failed", fromMs: Date.parse(at(90)) });
    expect(late.paginator?.totalCount).toBe(50); // minutes 90..99 of the first five rounds of 100
    expect(late.notifications.every((n) => n.createdMs! >= Date.parse(at(90)))).toBe(true);
    const query = standin.requests.at(-1)!.url;
    expect(query).toContain("from=2026-12-05T07%3A30%3A00%2B0000");

    const givenUp = await client.webhookNotifications(standin.eshopId, { status: "new", active: false });
    expect(givenUp.notifications.map((n) => n.data.eventInstance)).toEqual(["A2"]);
  });

  it("answers 400 for a from whose + was not encoded (the stand-in is as strict as the spec asks)", async () => {
    standin = await startShoptetStandin();
    const res = await fetch(`${standin.url}/api/webhooks/notifications?from=2026-12-05T07:30:00+0000`, {
      headers: { "Shoptet-Private-API-Token": standin.token },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { data: unknown; errors: { errorCode: string }[] };
    expect(body.errors[0]!.errorCode).toBe("invalid-request-data");
  });
});
