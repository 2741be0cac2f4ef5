import { describe, expect, it } from "vitest";
import { compileCron } from "../../../src/digest/cron-schedule.js";

const PRAGUE = "Europe/Prague";
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The next `count` slots after `start`. */
function slots(expr: string, start: string, count: number, tz = PRAGUE): string[] {
  const cron = compileCron(expr);
  const out: string[] = [];
  let t = Date.parse(start);
  for (let i = 0; i < count; i++) {
    const next = cron.nextAfter(t, tz);
    if (next === null) break;
    out.push(iso(next)!);
    t = next;
  }
  return out;
}

describe("compileCron", () => {
  it("runs a daily 07:00 schedule at 07:00 local on both sides of the 2026 DST changes", () => {
    expect(slots("0 7 * * *", "2026-03-27T12:00:00Z", 4)).toEqual([
      "2026-03-28T06:00:00.000Z", // CET
      "2026-03-29T05:00:00.000Z", // CEST from this day
      "2026-03-30T05:00:00.000Z",
      "2026-03-31T05:00:00.000Z",
    ]);
    expect(slots("0 7 * * *", "2026-10-23T12:00:00Z", 3)).toEqual([
      "2026-10-24T05:00:00.000Z",
      "2026-10-25T06:00:00.000Z", // CET again
      "2026-10-26T06:00:00.000Z",
    ]);
  });

  it("runs 02:30 once on the spring-forward day, when the clock has jumped (03:30 CEST)", () => {
    expect(slots("30 2 * * *", "2026-03-27T12:00:00Z", 3)).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:30:00.000Z", // 02:30 does not exist: 03:30 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("runs 02:30 once on the fall-back day, the first time the clock shows it", () => {
    expect(slots("30 2 * * *", "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST; the second 02:30 (01:30Z) is not a slot
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  it("gives each DST day exactly one slot of a daily schedule, wherever the hour falls", () => {
    for (const expr of ["0 7 * * *", "30 2 * * *", "0 2 * * *", "0 3 * * *", "59 1 * * *"]) {
      for (const day of ["2026-03-29", "2026-10-25"]) {
        const start = Date.parse(`${day}T00:00:00+01:00`) - 3 * 3_600_000;
        const end = Date.parse(`${day}T00:00:00+01:00`) + 27 * 3_600_000;
        const cron = compileCron(expr);
        const found: number[] = [];
        for (let t = cron.nextAfter(start, PRAGUE); t !== null && t < end; t = cron.nextAfter(t, PRAGUE)) found.push(t);
        const onDay = found.filter((t) => new Intl.DateTimeFormat("en-CA", { timeZone: PRAGUE }).format(t) === day);
        expect(onDay, `${expr} on ${day}`).toHaveLength(1);
      }
    }
  });

  it("finds the latest slot at or before a time, the slot itself included", () => {
    const cron = compileCron("0 7 * * *");
    expect(iso(cron.latestAtOrBefore(Date.parse("2026-11-27T06:00:00Z"), PRAGUE))).toBe("2026-11-27T06:00:00.000Z");
    expect(iso(cron.latestAtOrBefore(Date.parse("2026-11-27T05:59:59.999Z"), PRAGUE))).toBe("2026-11-26T06:00:00.000Z");
    expect(iso(cron.latestAtOrBefore(Date.parse("2026-03-29T05:30:00Z"), PRAGUE))).toBe("2026-03-29T05:00:00.000Z");
    const night = compileCron("30 2 * * *");
    expect(iso(night.latestAtOrBefore(Date.parse("2026-03-29T01:45:00Z"), PRAGUE))).toBe("2026-03-29T01:30:00.000Z");
    expect(iso(night.latestAtOrBefore(Date.parse("2026-03-29T01:15:00Z"), PRAGUE))).toBe("2026-03-28T01:30:00.000Z");
    expect(iso(night.latestAtOrBefore(Date.parse("2026-10-25T01:45:00Z"), PRAGUE))).toBe("2026-10-25T00:30:00.000Z");
  });

  it("skips weekends for 1-5 and knows the last day of the month and the nth weekday", () => {
    // Fri 27 Nov 2026 → Mon 30 Nov
    expect(slots("0 7 * * 1-5", "2026-11-27T07:00:00Z", 2)).toEqual(["2026-11-30T06:00:00.000Z", "2026-12-01T06:00:00.000Z"]);
    expect(slots("0 0 L * *", "2026-02-01T00:00:00Z", 2)).toEqual(["2026-02-27T23:00:00.000Z", "2026-03-30T22:00:00.000Z"]);
    expect(slots("0 9 * * 1#2", "2026-11-01T00:00:00Z", 1)).toEqual(["2026-11-09T08:00:00.000Z"]);
    expect(slots("0 9 * * 5L", "2026-11-01T00:00:00Z", 1)).toEqual(["2026-11-27T08:00:00.000Z"]);
  });

  it("handles sub-hour schedules and other timezones", () => {
    expect(slots("*/15 * * * *", "2026-11-27T06:07:00Z", 3)).toEqual([
      "2026-11-27T06:15:00.000Z",
      "2026-11-27T06:30:00.000Z",
      "2026-11-27T06:45:00.000Z",
    ]);
    expect(slots("0 7 * * *", "2026-11-27T00:00:00Z", 1, "America/New_York")).toEqual(["2026-11-27T12:00:00.000Z"]);
    expect(slots("0 7 * * *", "2026-11-27T00:00:00Z", 1, "UTC")).toEqual(["2026-11-27T07:00:00.000Z"]);
  });

  it("accepts a seconds field", () => {
    expect(slots("15 0 7 * * *", "2026-11-27T00:00:00Z", 1, "UTC")).toEqual(["2026-11-27T07:00:15.000Z"]);
  });

  it("refuses an invalid expression with a message that says what is wrong", () => {
    expect(() => compileCron("0 25 * * *")).toThrow(/not a valid cron expression.*hour/);
    expect(() => compileCron("every morning")).toThrow(/not a valid cron expression/);
  });
});
