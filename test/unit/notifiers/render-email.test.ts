import { describe, expect, it } from "vitest";
import { renderEmail } from "../../../src/notifiers/render-email.js";
import { alert, digest } from "../../helpers/outbox-fixtures.js";
import { makeAlert } from "./slack-fixtures.js";

describe("renderEmail", () => {
  it("renders one alert as subject, text and escaped HTML with the same facts", () => {
    const a = alert("KAV-1", { subject: { eshopId: 9, code: "KAV-1", name: "Café <b>", quantity: 0, minStockSupply: 5, level: "soldOut", perStock: { "3": 0 } } });
    const r = renderEmail([a]);
    expect(r.subject).toBe("[stockwatch] Sold out: KAV-1 Coffee KAV-1 (0 left, minimum 5)");
    for (const part of [r.text, r.html]) {
      expect(part).toContain("KAV-1");
      expect(part).toContain("0 (minimum 5)");
      expect(part).toContain("warehouse 3: 0");
      expect(part).toContain("sold-out");
    }
    expect(r.text).toContain("Café <b>");
    expect(r.html).toContain("Café &lt;b&gt;");
  });

  it("passes a digest through", () => {
    const d = digest();
    expect(renderEmail([d])).toEqual({ subject: d.subject, text: d.text, html: d.html });
  });

  it("renders a group as one list", () => {
    const r = renderEmail([alert("A"), alert("B"), alert("C")]);
    expect(r.subject).toBe("[stockwatch] 3 products sold out (rule sold-out)");
    expect(r.text).toMatch(/- A Coffee A[\s\S]*- B Coffee B[\s\S]*- C Coffee C/);
    expect(r.html.match(/<li>/g)).toHaveLength(3);
  });

  it("titles a group of forecasts as running out, and each line keeps its days left", () => {
    const r = renderEmail([makeAlert("daysOfCover", "open", 0), makeAlert("daysOfCover", "open", 1)]);
    expect(r.subject).toMatch(/^\[stockwatch\] 2 products running out within [1-5] days? \(rule /);
    expect(r.subject).not.toContain("back in stock");
    expect(r.text.match(/days? left/g)).toHaveLength(2);
  });
});
