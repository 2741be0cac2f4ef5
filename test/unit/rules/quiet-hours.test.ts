import { describe, expect, it } from "vitest";
import { makeQuietPeriod, releaseTime } from "../../../src/rules/quiet-hours.js";
import { instantOf, wallTimeAt } from "../../../src/rules/zoned-time.js";

const TZ = "Europe/Prague";
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("wall-clock time in Europe/Prague", () => {
  it("converts both ways across DST", () => {
    expect(iso(instantOf(2025, 1, 15, 6, 0, TZ))).toBe("2025-01-15T05:00:00.000Z");
    expect(iso(instantOf(2025, 7, 15, 6, 0, TZ))).toBe("2025-07-15T04:00:00.000Z");
    // 02:30 does not exist on 30 March 2025 (02:00 → 03:00): read as 03:30 CEST.
    expect(iso(instantOf(2025, 3, 30, 2, 30, TZ))).toBe("2025-03-30T01:30:00.000Z");
    // 02:30 happens twice on 26 October 2025: the earlier one (CEST).
    expect(iso(instantOf(2025, 10, 26, 2, 30, TZ))).toBe("2025-10-26T00:30:00.000Z");
    expect(wallTimeAt(at("2025-03-30T01:30:00Z"), TZ)).toMatchObject({ day: 30, hour: 3, minute: 30, weekday: 6 });
  });
});

describe("quiet hours: held until the end, never dropped", () => {
  const nights = [makeQuietPeriod("22:00", "06:00")];

  it.each([
    ["outside: sent at once", "2025-01-15T12:00:00Z", "2025-01-15T12:00:00.000Z"],
    ["just before the start", "2025-01-15T20:59:59Z", "2025-01-15T20:59:59.000Z"],
    ["at the start (22:00 local)", "2025-01-15T21:00:00Z", "2025-01-16T05:00:00.000Z"],
    ["before midnight → 06:00 next day", "2025-01-15T22:30:00Z", "2025-01-16T05:00:00.000Z"],
    ["after midnight → 06:00 same day", "2025-01-16T02:00:00Z", "2025-01-16T05:00:00.000Z"],
    ["at the end: released", "2025-01-16T05:00:00Z", "2025-01-16T05:00:00.000Z"],
    ["summer time: 06:00 CEST is 04:00Z", "2025-07-15T23:00:00Z", "2025-07-16T04:00:00.000Z"],
    ["spring-forward night (a 7-hour night)", "2025-03-29T22:00:00Z", "2025-03-30T04:00:00.000Z"],
    ["fall-back night (a 9-hour night)", "2025-10-25T21:00:00Z", "2025-10-26T05:00:00.000Z"],
    ["the repeated hour on fall-back night", "2025-10-26T01:30:00Z", "2025-10-26T05:00:00.000Z"],
  ])("%s", (_name, due, expected) => {
    expect(iso(releaseTime(at(due), nights, TZ))).toBe(expected);
  });

  it("applies `days` to the day a period starts on", () => {
    const weeknights = [makeQuietPeriod("22:00", "06:00", ["mon", "tue", "wed", "thu", "fri"])];
    // Friday 23:00 → Saturday 06:00 (started Friday).
    expect(iso(releaseTime(at("2025-01-17T22:00:00Z"), weeknights, TZ))).toBe("2025-01-18T05:00:00.000Z");
    // Saturday 23:00: no period starts on Saturday.
    expect(iso(releaseTime(at("2025-01-18T22:00:00Z"), weeknights, TZ))).toBe("2025-01-18T22:00:00.000Z");
  });

  it("follows back-to-back periods: a weekend after a weeknight", () => {
    const periods = [makeQuietPeriod("22:00", "06:00", ["fri"]), makeQuietPeriod("00:00", "00:00", ["sat", "sun"])];
    // Friday 23:00 → Saturday 06:00 is quiet → whole Saturday → whole Sunday → Monday 00:00.
    expect(iso(releaseTime(at("2025-01-17T22:00:00Z"), periods, TZ))).toBe("2025-01-19T23:00:00.000Z");
  });

  it("a daytime period does not cross midnight", () => {
    const lunch = [makeQuietPeriod("12:00", "13:00")];
    expect(iso(releaseTime(at("2025-01-15T11:30:00Z"), lunch, TZ))).toBe("2025-01-15T12:00:00.000Z");
    expect(iso(releaseTime(at("2025-01-15T13:30:00Z"), lunch, TZ))).toBe("2025-01-15T13:30:00.000Z");
  });
});
