import { describe, expect, it } from "vitest";
import { formatMilli, parseAmountMilli } from "../../../src/shoptet/amount.js";

describe("parseAmountMilli", () => {
  it.each([
    ["12.000", 12000],
    ["-2.000", -2000],
    ["0.505", 505],
    ["21.505", 21505],
    ["0.1", 100],
    ["50", 50000],
    ["1.0005", 1001],
    [" 3.250 ", 3250],
  ])("reads the string %j exactly", (text, milli) => {
    expect(parseAmountMilli(text)).toBe(milli);
  });

  it("reads JSON numbers too (the Postman example sends amount: 50)", () => {
    expect(parseAmountMilli(50)).toBe(50000);
    expect(parseAmountMilli(0.1 + 0.2)).toBe(300);
  });

  it("gives null for null, empty and garbage", () => {
    for (const v of [null, undefined, "", "abc", "1.2.3", {}, Number.NaN]) expect(parseAmountMilli(v)).toBeNull();
  });

  it("compares exactly where floats would not", () => {
    expect(parseAmountMilli("0.300")).toBe(parseAmountMilli(0.1 + 0.2));
  });

  it("formats like Shoptet", () => {
    expect(formatMilli(12000)).toBe("12.000");
    expect(formatMilli(-2500)).toBe("-2.500");
    expect(formatMilli(5)).toBe("0.005");
  });
});
