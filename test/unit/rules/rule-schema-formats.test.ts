import { validateDetailed } from "node-cron";
import { describe, expect, it } from "vitest";
import { FORMATS } from "../../../src/rules/rule-schema.js";
import { parseTimeOfDay } from "../../../src/rules/quiet-hours.js";
import { parseDuration } from "../../../src/shared/duration.js";

/** The JSON Schema patterns of the rules file say what the rules loader's own parsers accept. */
const matches = (format: keyof typeof FORMATS, text: string) => new RegExp(FORMATS[format].pattern, "u").test(text);

describe("rule-schema FORMATS", () => {
  it.each([
    "30s", "5m", "12h", "7d", "250ms", "1.5h", "0s", " 5m ", "90d", "0.5d",
    "5", "m", "5 m", "5min", "-5m", "1w", "5M", "", " ", "1.h", ".5h", "5m5s", "PT5M", "5m\nx",
  ])("duration %j: the pattern agrees with parseDuration", (text) => {
    expect(matches("duration", text)).toBe(parseDuration(text) !== undefined);
  });

  it.each(["00:00", "06:00", "22:30", "23:59", "24:00", "7:00", "07:60", "0700", " 07:00", "07:00 ", "12:5", "ab:cd", ""])(
    "time of day %j: the pattern agrees with parseTimeOfDay",
    (text) => {
      expect(matches("timeOfDay", text)).toBe(parseTimeOfDay(text) !== undefined);
    },
  );

  it.each(["0 7 * * 1-5", "*/5 * * * *", "0 0 7 * * mon-fri", "30 6 1 * *", "0 7 * * 1-5 ", " 0 7 * * *"])(
    "cron %j that node-cron accepts matches the pattern",
    (text) => {
      expect(validateDetailed(text).valid).toBe(true);
      expect(matches("cron", text)).toBe(true);
    },
  );

  it.each(["", "0 7", "0 7 * *", "0 0 7 * * 1 2", "tomorrow at 7"])("cron %j: refused by the pattern and by node-cron", (text) => {
    expect(matches("cron", text)).toBe(false);
    expect(validateDetailed(text).valid).toBe(false);
  });

  it.each([["a@b", true], ["manager@example.com", true], ["no-at", false], ["a b@c", false], ["@c", false], ["a@", false]] as const)(
    "e-mail %j → %s",
    (text, ok) => {
      expect(matches("email", text)).toBe(ok);
    },
  );

  it("every format has a description for editors", () => {
    for (const f of Object.values(FORMATS)) expect(f.description.length).toBeGreaterThan(10);
  });
});
