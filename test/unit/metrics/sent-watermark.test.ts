import { describe, expect, it } from "vitest";
import { NOTHING_SENT, takeNewlySent, type SentMark } from "../../../src/metrics/sent-watermark.js";

const row = (id: number, sentAt: number) => ({ id, sentAt });

describe("takeNewlySent", () => {
  const cases: { name: string; rows: { id: number; sentAt: number }[]; mark: SentMark; fresh: number[]; after: SentMark }[] = [
    { name: "nothing sent, nothing seen", rows: [], mark: NOTHING_SENT, fresh: [], after: NOTHING_SENT },
    { name: "first rows", rows: [row(1, 10), row(2, 20)], mark: NOTHING_SENT, fresh: [1, 2], after: { at: 20, ids: [2] } },
    { name: "rows at the mark already seen", rows: [row(2, 20)], mark: { at: 20, ids: [2] }, fresh: [], after: { at: 20, ids: [2] } },
    { name: "a row committed later in the mark's millisecond", rows: [row(2, 20), row(3, 20)], mark: { at: 20, ids: [2] }, fresh: [3], after: { at: 20, ids: [2, 3] } },
    { name: "newer rows move the mark", rows: [row(2, 20), row(4, 30), row(5, 30)], mark: { at: 20, ids: [2] }, fresh: [4, 5], after: { at: 30, ids: [4, 5] } },
    { name: "an older id sent later (a retry) is new", rows: [row(9, 20), row(1, 25)], mark: { at: 20, ids: [9] }, fresh: [1], after: { at: 25, ids: [1] } },
    { name: "rows before the mark are not new", rows: [row(7, 5)], mark: { at: 20, ids: [] }, fresh: [], after: { at: 20, ids: [] } },
  ];
  it.each(cases)("$name", ({ rows, mark, fresh, after }) => {
    const result = takeNewlySent(rows, mark);
    expect(result.fresh.map((r) => r.id)).toEqual(fresh);
    expect(result.mark).toEqual(after);
  });
});
