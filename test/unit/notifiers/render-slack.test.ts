import { describe, expect, it } from "vitest";
import { escapeMrkdwn, MAIN_PRODUCTS, renderContinuations, renderSlack, renderThreadReplies, renderThreadReply } from "../../../src/notifiers/render-slack.js";
import { alert, digest } from "../../helpers/outbox-fixtures.js";

const json = (v: unknown) => JSON.stringify(v);

describe("renderSlack", () => {
  it("shows product name and code, quantity and minimum, warehouses, severity and rule in blocks and text", () => {
    const a = alert("KAV-1", { level: "low", quantity: 3 });
    const { text, blocks } = renderSlack([a]);
    for (const needle of ["KAV-1", "Coffee KAV-1", "3 (minimum 5)", "critical", "sold-out"]) {
      expect(text).toContain(needle);
      expect(json(blocks)).toContain(needle);
    }
    expect(text).toContain("warehouse 1: 3, warehouse 2: 0");
    expect(json(blocks)).toContain("warehouse 2: 0");
    expect(blocks[0]).toMatchObject({ type: "header" });
    expect(json(blocks[0])).toContain(":large_orange_circle:");
  });

  it("marks a resolve and keeps the header within Slack's 150 characters", () => {
    const long = alert("X", { transition: "resolve", summary: `Back in stock: ${"y".repeat(300)}` });
    const { blocks } = renderSlack([long]);
    const header = (blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header).toContain(":white_check_mark:");
  });

  it("escapes Slack control characters in names", () => {
    const a = alert("A&B", { subject: { eshopId: 1, code: "A&B", name: "<script>", quantity: 0, minStockSupply: null, level: "soldOut" } });
    const { text, blocks } = renderSlack([a]);
    expect(json(blocks)).toContain("&lt;script&gt;");
    expect(json(blocks)).not.toContain("<script>");
    expect(text).toContain("A&amp;B");
    expect(escapeMrkdwn("a<b>&")).toBe("a&lt;b&gt;&amp;");
  });

  it("lists the first grouped products in the message and the rest in thread replies, none as a bare +N more", () => {
    const alerts = Array.from({ length: MAIN_PRODUCTS + 5 }, (_, i) => alert(`P-${i}`, { alertId: i }));
    const { text, blocks } = renderSlack(alerts);
    expect(text.split("\n")[0]).toBe(`${MAIN_PRODUCTS + 5} products sold out`);
    expect(json(blocks)).toContain("`P-0`");
    expect(json(blocks)).toContain(`\`P-${MAIN_PRODUCTS - 1}\``);
    expect(json(blocks)).not.toContain(`\`P-${MAIN_PRODUCTS}\``);
    expect(json(blocks)).toContain(`5 more in the thread: ${MAIN_PRODUCTS + 1}–${MAIN_PRODUCTS + 5} of ${MAIN_PRODUCTS + 5}`);
    expect(text).toContain("+5 more in the thread");
    const replies = renderContinuations(alerts);
    expect(replies).toHaveLength(1);
    for (let i = MAIN_PRODUCTS; i < MAIN_PRODUCTS + 5; i++) expect(json(replies[0]!.blocks)).toContain(`\`P-${i}\``);
    expect(renderContinuations([alerts[0]!])).toEqual([]);
  });

  it("counts resolved entries in a grouped message that was updated", () => {
    const { text } = renderSlack([alert("A"), alert("B", { transition: "resolve" }), alert("C")]);
    expect(text.split("\n")[0]).toBe("2 products sold out (1 resolved)");
    expect(text).toContain("resolved: B Coffee B");
  });

  it("sums a digest up in a few lines", () => {
    const { text, blocks } = renderSlack([digest()]);
    expect(text).toContain("Stock digest morning");
    expect(json(blocks)).toContain("Sold out: 2");
    expect(json(blocks)).toContain("digest morning");
  });

  it("writes a short thread reply per updated alert", () => {
    expect(renderThreadReply([alert("A", { transition: "resolve" })])).toBe(
      ":white_check_mark: Back in stock: A Coffee A (0 left)",
    );
  });

  it("splits the thread reply of a whole group changing at once into short replies that name every product", () => {
    const alerts = Array.from({ length: 500 }, (_, i) => alert(`P-${i}`, { alertId: i, transition: "resolve" }));
    const replies = renderThreadReplies(alerts);
    expect(replies.length).toBeGreaterThan(1);
    for (const r of replies) expect(r.length).toBeLessThanOrEqual(3000);
    const all = replies.join("\n").split("\n");
    expect(all).toHaveLength(500);
    for (let i = 0; i < 500; i++) expect(all[i]).toBe(`:white_check_mark: Back in stock: P-${i} Coffee P-${i} (0 left)`);
  });
});
