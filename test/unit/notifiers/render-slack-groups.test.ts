import { describe, expect, it } from "vitest";
import { describeForecast } from "../../../src/forecast/forecast-text.js";
import { renderSlackMessage } from "../../../src/notifiers/render-slack.js";
import type { AlertMessage } from "../../../src/outbox/outbox-types.js";
import { T0 } from "../../helpers/outbox-fixtures.js";
import { blockKitViolations, visibleText, type Rendered } from "./block-kit-limits.js";
import { makeAlert, SIZES, TRANSITIONS, type Kind, type Transition } from "./slack-fixtures.js";

/**
 * Grouped Slack messages, as a table: every rule kind × transition × group size, each checked
 * against Block Kit's limits and for "every product named" (its code in the main message or in a
 * continuation reply), with a title that says what the alerts are.
 */
function group(kind: Kind, transition: Transition, size: number): AlertMessage[] {
  // Out of order on purpose: the renderer sorts.
  return Array.from({ length: size }, (_, i) => makeAlert(kind, transition, (i * 7919) % size));
}

const titleOf = (r: Rendered) => (r.blocks[0] as unknown as { text: { text: string } }).text.text;

const EXPECTED_TITLE: Record<Kind, (n: number) => RegExp> = {
  soldOut: (n) => new RegExp(`^:red_circle: (Still: )?${n} products sold out$`),
  low: (n) => new RegExp(`^:large_orange_circle: (Still: )?${n} products low on stock$`),
  backInStock: (n) => new RegExp(`^:large_green_circle: (Still: )?${n} products back in stock$`),
  daysOfCover: (n) => new RegExp(`^:large_green_circle: (Still: )?${n} products running out within [1-5] days?$`),
  event: (n) => new RegExp(`^:warning: ${n} events: order:cancelled$`),
};

const cases = (Object.keys(TRANSITIONS) as Kind[]).flatMap((kind) =>
  TRANSITIONS[kind].flatMap((transition) => SIZES.map((size) => ({ kind, transition, size }))),
);

describe("grouped Slack messages: every kind × transition × size", () => {
  it.each(cases)("$kind $transition × $size: within Block Kit limits, every product named, an honest title", ({ kind, transition, size }) => {
    const alerts = group(kind, transition, size);
    const { main, replies } = renderSlackMessage(alerts);
    const parts = [main, ...replies];
    for (const [i, part] of parts.entries()) expect(blockKitViolations(part), `part ${i}`).toEqual([]);
    // Readable on a phone: the fallback (notification) text stays short.
    for (const part of parts) expect(part.text.length).toBeLessThanOrEqual(3000);

    const seen = parts.map(visibleText).join("\n");
    const missing = alerts.filter((a) => !seen.includes(`\`${a.subject.code}\``));
    expect(missing.map((a) => a.subject.code), "products named nowhere").toEqual([]);

    if (size === 1) {
      expect(replies).toEqual([]);
      expect(titleOf(main)).toContain(alerts[0]!.summary.slice(0, 20));
      return;
    }
    // Each product once, in the main message or the thread, never twice.
    for (const a of alerts) expect(seen.split(`\`${a.subject.code}\``).length - 1, a.subject.code).toBe(1);
    const title = titleOf(main);
    if (transition === "resolve") expect(title).toBe(`:white_check_mark: ${size} products resolved`);
    else expect(title).toMatch(EXPECTED_TITLE[kind](size));
    if (transition === "remind") expect(title).toContain("Still: ");
    if (kind === "daysOfCover") {
      // Each line shows what the alert's own message shows: days left and the rate.
      expect(seen.match(/days? left \(sells ~6\/day, \d+ in stock\)/g)).toHaveLength(size);
      expect(title).not.toContain("back in stock");
    }
    if (size > 20) {
      expect(replies.length).toBeGreaterThan(0);
      expect(visibleText(main)).toMatch(new RegExp(`${size - 20} more in the thread: 21–${size} of ${size}`));
    } else expect(replies).toEqual([]);
  });
});

describe("grouped Slack messages: titles and lines", () => {
  it("says how many days the forecasts give at most, and less than a day", () => {
    const near = [0, 1].map((i) => makeAlert("daysOfCover", "open", i, {}));
    near[0]!.subject.details = [describeForecast({ quantity: 2, velocityPerDay: 6, daysOfCover: 2 / 6, runOutAt: null, sold: 180, windowDays: 30 }, "UTC", T0)];
    near[1]!.subject.details = [describeForecast({ quantity: 5, velocityPerDay: 6, daysOfCover: 5 / 6, runOutAt: null, sold: 180, windowDays: 30 }, "UTC", T0)];
    expect(titleOf(renderSlackMessage(near).main)).toBe(":large_green_circle: 2 products running out in less than a day");
    const [a, b] = [makeAlert("daysOfCover", "open", 6), makeAlert("daysOfCover", "open", 18)]; // 12 and 24 units: 2 and 4 days
    expect(titleOf(renderSlackMessage([a!, b!]).main)).toBe(":large_green_circle: 2 products running out within 4 days");
  });

  it("names a mixed group by what is in it, and counts the resolved", () => {
    const alerts = [
      makeAlert("soldOut", "open", 1),
      makeAlert("soldOut", "open", 2),
      makeAlert("low", "open", 3),
      makeAlert("daysOfCover", "open", 4),
      makeAlert("event", "open", 5),
      makeAlert("low", "resolve", 6),
    ];
    expect(titleOf(renderSlackMessage(alerts).main)).toBe(
      ":red_circle: 5 alerts: 2 sold out, 1 low on stock, 1 running out, 1 event (1 resolved)",
    );
  });

  it("lists most severe first, then by code in natural order; a resolve keeps its place", () => {
    const alerts = [
      makeAlert("low", "open", 10, { severity: "warning" }),
      makeAlert("soldOut", "open", 10),
      makeAlert("soldOut", "resolve", 2),
      makeAlert("low", "open", 1, { severity: "info" }),
    ];
    alerts[0]!.subject = { ...alerts[0]!.subject, code: "W-1" };
    alerts[3]!.subject = { ...alerts[3]!.subject, code: "I-1" };
    const text = visibleText(renderSlackMessage(alerts).main);
    const order = ["`P-2`", "`P-10`", "`W-1`", "`I-1`"].map((c) => text.indexOf(c));
    expect(order.every((p) => p >= 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(text).toContain(":white_check_mark: `P-2` Coffee P-2 — now 0 (minimum 5)");
  });

  it("shortens long names on a line and keeps one line per product", () => {
    const { main } = renderSlackMessage([makeAlert("soldOut", "open", 3), makeAlert("soldOut", "open", 4)]);
    const lines = visibleText(main).split("\n").filter((l) => l.includes("`P-"));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^:red_circle: `P-3` Coffee P-3 Très long &amp; &lt;special&gt;.*… — 0 \(minimum 5\)$/);
    expect(lines[0]!.replace(/&[a-z]+;/g, "x").length).toBeLessThan(110);
  });

  it("continues a 500-product group in thread replies that say which part they are", () => {
    const { main, replies } = renderSlackMessage(group("soldOut", "open", 500));
    expect(main.text.split("\n")[0]).toBe("500 products sold out");
    expect(main.text).toContain("+480 more in the thread (21–500 of 500)");
    expect(replies.map((r) => visibleText(r).split("\n")[0])).toEqual([
      "500 products sold out, continued: 21–170 of 500",
      "500 products sold out, continued: 171–320 of 500",
      "500 products sold out, continued: 321–470 of 500",
      "500 products sold out, continued: 471–500 of 500",
    ]);
    expect(replies[3]!.text).toContain("P-499 Coffee P-499 (0 (minimum 5))");
  });
});
