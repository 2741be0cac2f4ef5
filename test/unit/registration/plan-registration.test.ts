import { describe, expect, it } from "vitest";
import type { Webhook } from "../../../src/shoptet/shoptet-types.js";
import { selectEvents, type WantedEvent } from "../../../src/registration/event-selection.js";
import { planRegistration } from "../../../src/registration/plan-registration.js";
import { checkWebhookUrl } from "../../../src/registration/webhook-url.js";

const URL = "https://stock.example.com/webhooks/shoptet";
let nextId = 1;
const hook = (event: string, url = URL): Webhook => ({ id: nextId++, event, url, created: null, updated: null, sendPayload: null });
const want = (event: string, explicit = false): WantedEvent => ({ event, explicit, why: explicit ? "--events" : "default" });
const kinds = (plan: ReturnType<typeof planRegistration>) => Object.fromEntries(plan.steps.map((s) => [s.event, s.kind]));

describe("planRegistration", () => {
  it("adds what is missing, keeps what is there, lists ours that were not asked for", () => {
    const plan = planRegistration([hook("stock:movement"), hook("order:create")], [want("stock:movement"), want("stock:soldOut")], URL);
    expect(kinds(plan)).toEqual({ "stock:movement": "keep", "stock:soldOut": "add" });
    expect(plan.extra.map((w) => w.event)).toEqual(["order:create"]);
  });

  it.each([
    ["neither named: the default side", [want("order:update"), want("order:cancel")], [], "order:update", "order:cancel"],
    ["the named side wins", [want("order:update"), want("order:cancel", true)], [], "order:cancel", "order:update"],
    ["both named: the default side", [want("order:update", true), want("order:cancel", true)], [], "order:update", "order:cancel"],
    ["neither named, the other side already ours: no churn", [want("order:update"), want("order:cancel")], ["order:cancel"], "order:cancel", "order:update"],
    ["customer pair", [want("customer:update"), want("customer:disableOrders"), want("customer:enableOrders")], [], "customer:update", "customer:enableOrders"],
  ])("conflict pair, %s", (_label, wanted, registered, winner, loser) => {
    const plan = planRegistration(registered.map((e) => hook(e)), wanted, URL);
    const k = kinds(plan);
    expect(["add", "keep"]).toContain(k[winner]);
    expect(k[loser]).toBe("skip-conflict");
    const step = plan.steps.find((s) => s.event === loser)!;
    expect(step.kind === "skip-conflict" && step.other).toBe(winner);
  });

  it("never plans both sides of any pair, whatever is asked", () => {
    const all = selectEvents({ all: true });
    if (!all.ok) throw new Error(all.error);
    const planned = new Set(planRegistration([], all.wanted, URL).steps.filter((s) => s.kind === "add").map((s) => s.event));
    expect(planned.has("order:update") && planned.has("order:cancel")).toBe(false);
    expect(planned.has("customer:update") && (planned.has("customer:disableOrders") || planned.has("customer:enableOrders"))).toBe(false);
    expect([...planned].some((e) => e.startsWith("addon:"))).toBe(false);
  });

  it("does not add an event whose partner is registered to someone else", () => {
    const plan = planRegistration([hook("order:update", "https://erp.example.com/x")], [want("order:cancel", true)], URL);
    expect(plan.steps[0]).toMatchObject({ kind: "skip-conflict", other: "order:update" });
  });

  it("re-points the same path on another host, leaves another path alone unless taking over", () => {
    const existing = [hook("stock:movement", "http://10.0.0.5:8080/webhooks/shoptet"), hook("stock:soldOut", "https://erp.example.com/x")];
    const wanted = [want("stock:movement"), want("stock:soldOut")];
    expect(kinds(planRegistration(existing, wanted, URL))).toEqual({ "stock:movement": "update-url", "stock:soldOut": "skip-taken" });
    expect(kinds(planRegistration(existing, wanted, URL, { takeOver: true }))).toEqual({ "stock:movement": "update-url", "stock:soldOut": "update-url" });
  });

  it("compares URLs after normalising (host case, default port)", () => {
    const plan = planRegistration([hook("stock:movement", "https://STOCK.example.com:443/webhooks/shoptet")], [want("stock:movement")], URL);
    expect(kinds(plan)).toEqual({ "stock:movement": "keep" });
  });
});

describe("selectEvents", () => {
  const rules = {
    eventRules: [
      { name: "cancelled", when: { events: { patterns: ["order:cancel"], test: (e: string) => e === "order:cancel" } } },
      { name: "shipments", when: { events: { patterns: ["shipment:*"], test: (e: string) => e.startsWith("shipment:") } } },
    ],
  };

  it("defaults to the stock events, product refreshes and what the event rules match", () => {
    const r = selectEvents({ rules });
    if (!r.ok) throw new Error(r.error);
    expect(r.wanted.map((w) => w.event)).toEqual([
      "stock:movement",
      "stock:inStock",
      "stock:soldOut",
      "stock:minStockSupplyReached",
      "product:update",
      "productVariant:update",
      "order:cancel",
      "shipment:create",
      "shipment:update",
      "shipment:fail",
    ]);
    expect(r.wanted.find((w) => w.event === "order:cancel")).toMatchObject({ explicit: true, why: 'rule "cancelled"' });
    expect(r.wanted.find((w) => w.event === "shipment:fail")!.explicit).toBe(false);
  });

  it("refuses two selections at once", () => {
    expect(selectEvents({ all: true, stockOnly: true })).toMatchObject({ ok: false });
  });
});

describe("checkWebhookUrl", () => {
  it.each([
    ["https://a.example.com/webhooks/shoptet", true],
    ["http://a.example.com/webhooks/shoptet", true],
    ["https://a.example.com:8443/webhooks/shoptet", true],
    ["http://a.example.com:8080/webhooks/shoptet", true],
    ["https://a.example.com:443/webhooks/shoptet", true],
    ["https://a.example.com:80/webhooks/shoptet", true],
    ["https://a.example.com:8081/webhooks/shoptet", false],
    ["http://a.example.com:3000/webhooks/shoptet", false],
    ["ws://a.example.com/webhooks/shoptet", false],
    ["https://a.example.com/webhooks/shoptet#x", false],
  ])("%s → %s", (url, ok) => {
    expect(checkWebhookUrl(url).ok).toBe(ok);
  });

  it("notes what may not work, without refusing", () => {
    const r = checkWebhookUrl("http://localhost:8080/hooks");
    expect(r.ok && r.notes.join("\n")).toMatch(/plain http[\s\S]*not reachable from the internet/);
    expect(r.ok && r.notes.join("\n")).toContain("forwards /hooks there");
  });
});
