import { describe, expect, it } from "vitest";
import { compileCron } from "../../../src/digest/cron-schedule.js";
import { digestDue, type DigestDueFacts, type DueDigest } from "../../../src/digest/digest-due.js";

const t = (iso: string) => Date.parse(iso);
const daily8 = compileCron("0 8 * * *");
const daily0230 = compileCron("30 2 * * *");
const prague = "Europe/Prague";
const longAgo = t("2026-01-01T00:00:00Z");

interface Row {
  name: string;
  facts: Partial<DigestDueFacts> & Pick<DigestDueFacts, "now">;
  expected: DueDigest | null;
}

const rows: Row[] = [
  {
    name: "first run at its slot: the period is one interval back",
    facts: { now: t("2026-03-02T07:00:00Z") },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T07:00:00Z"), to: t("2026-03-02T07:00:00Z") }, trigger: "schedule" },
  },
  {
    name: "before its first slot of the day: the latest slot is yesterday's, not yet run",
    facts: { now: t("2026-03-02T06:59:59Z"), last: { slot: t("2026-02-28T07:00:00Z"), periodTo: t("2026-02-28T07:00:01Z") } },
    expected: { slot: t("2026-03-01T07:00:00Z"), period: { from: t("2026-02-28T07:00:01Z"), to: t("2026-03-02T06:59:59Z") }, trigger: "catch-up" },
  },
  { name: "a slot older than the digest is never due", facts: { now: t("2026-03-02T09:00:00Z"), firstSeen: t("2026-03-02T08:00:00Z") }, expected: null },
  {
    name: "the slot of the moment it was first seen is due",
    facts: { now: t("2026-03-02T07:00:00Z"), firstSeen: t("2026-03-02T07:00:00Z") },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T07:00:00Z"), to: t("2026-03-02T07:00:00Z") }, trigger: "schedule" },
  },
  {
    name: "this slot already ran",
    facts: { now: t("2026-03-02T12:00:00Z"), last: { slot: t("2026-03-02T07:00:00Z"), periodTo: t("2026-03-02T07:00:02Z") } },
    expected: null,
  },
  {
    name: "three days down: ONE catch-up run covers every missed slot, from the end of the last run",
    facts: { now: t("2026-03-05T09:30:00Z"), last: { slot: t("2026-03-02T07:00:00Z"), periodTo: t("2026-03-02T07:00:02Z") } },
    expected: { slot: t("2026-03-05T07:00:00Z"), period: { from: t("2026-03-02T07:00:02Z"), to: t("2026-03-05T09:30:00Z") }, trigger: "catch-up" },
  },
  {
    name: "five minutes late is still on schedule",
    facts: { now: t("2026-03-02T07:05:00Z"), last: { slot: t("2026-03-01T07:00:00Z"), periodTo: t("2026-03-01T07:00:00Z") } },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T07:00:00Z"), to: t("2026-03-02T07:05:00Z") }, trigger: "schedule" },
  },
  {
    name: "a millisecond more is a catch-up",
    facts: { now: t("2026-03-02T07:05:00.001Z"), last: { slot: t("2026-03-01T07:00:00Z"), periodTo: t("2026-03-01T07:00:00Z") } },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T07:00:00Z"), to: t("2026-03-02T07:05:00.001Z") }, trigger: "catch-up" },
  },
  {
    name: "first run after a failed first attempt starts where that attempt began",
    facts: { now: t("2026-03-02T07:00:00Z"), firstFailedFrom: t("2026-02-27T07:00:00Z") },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-02-27T07:00:00Z"), to: t("2026-03-02T07:00:00Z") }, trigger: "schedule" },
  },
  {
    name: "a failed attempt younger than one interval back does not shorten the first period",
    facts: { now: t("2026-03-02T07:00:00Z"), firstFailedFrom: t("2026-03-01T20:00:00Z") },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T07:00:00Z"), to: t("2026-03-02T07:00:00Z") }, trigger: "schedule" },
  },
  {
    name: "a last run with no slot (sent by hand) still bounds the period",
    facts: { now: t("2026-03-02T07:00:00Z"), last: { slot: null, periodTo: t("2026-03-01T18:00:00Z") } },
    expected: { slot: t("2026-03-02T07:00:00Z"), period: { from: t("2026-03-01T18:00:00Z"), to: t("2026-03-02T07:00:00Z") }, trigger: "schedule" },
  },
  {
    name: "nothing to cover: the last period already reaches now",
    facts: { now: t("2026-03-02T07:00:00Z"), last: { slot: t("2026-03-01T07:00:00Z"), periodTo: t("2026-03-02T07:00:00Z") } },
    expected: null,
  },
  {
    name: "DST spring forward: 02:30 does not exist, its slot is 03:30 CEST (01:30Z), the period 23 hours",
    facts: { schedule: daily0230, now: t("2026-03-29T01:30:00Z"), last: { slot: t("2026-03-28T01:30:00Z"), periodTo: t("2026-03-28T01:30:00Z") } },
    expected: { slot: t("2026-03-29T01:30:00Z"), period: { from: t("2026-03-28T01:30:00Z"), to: t("2026-03-29T01:30:00Z") }, trigger: "schedule" },
  },
  {
    name: "DST spring forward: before the jump the latest slot is still yesterday's",
    facts: { schedule: daily0230, now: t("2026-03-29T01:29:59Z"), last: { slot: t("2026-03-28T01:30:00Z"), periodTo: t("2026-03-28T01:30:00Z") } },
    expected: null,
  },
  {
    name: "DST fall back: 02:30 CEST (00:30Z) runs",
    facts: { schedule: daily0230, now: t("2026-10-25T00:30:00Z"), last: { slot: t("2026-10-24T00:30:00Z"), periodTo: t("2026-10-24T00:30:00Z") } },
    expected: { slot: t("2026-10-25T00:30:00Z"), period: { from: t("2026-10-24T00:30:00Z"), to: t("2026-10-25T00:30:00Z") }, trigger: "schedule" },
  },
  {
    name: "DST fall back: the second 02:30 (CET, 01:30Z) is not a second slot",
    facts: { schedule: daily0230, now: t("2026-10-25T01:30:00Z"), last: { slot: t("2026-10-25T00:30:00Z"), periodTo: t("2026-10-25T00:30:00Z") } },
    expected: null,
  },
  {
    name: "the timezone chooses the instant: 08:00 in New York",
    facts: { timezone: "America/New_York", now: t("2026-03-02T13:00:00Z"), last: { slot: t("2026-03-01T13:00:00Z"), periodTo: t("2026-03-01T13:00:00Z") } },
    expected: { slot: t("2026-03-02T13:00:00Z"), period: { from: t("2026-03-01T13:00:00Z"), to: t("2026-03-02T13:00:00Z") }, trigger: "schedule" },
  },
];

describe("digestDue: which digest is due now, for which period", () => {
  it.each(rows)("$name", ({ facts, expected }) => {
    expect(digestDue({ schedule: daily8, timezone: prague, firstSeen: longAgo, last: null, firstFailedFrom: null, ...facts })).toEqual(expected);
  });
});
