import { describe, expect, it } from "vitest";
import { periodCutoffOf } from "../../../src/retention/prune-history.js";

const C = 1_000;

describe("periodCutoffOf", () => {
  it.each([
    { name: "no digests", starts: [], digests: null, want: { periodCutoff: C, heldForDigest: null } },
    { name: "a digest whose period starts later", starts: [{ digest: "m", start: C + 5 }], digests: null, want: { periodCutoff: C, heldForDigest: null } },
    { name: "a digest whose period starts earlier", starts: [{ digest: "m", start: C - 5 }], digests: null, want: { periodCutoff: C - 5, heldForDigest: "m" } },
    { name: "the earliest start wins", starts: [{ digest: "a", start: C - 5 }, { digest: "b", start: C - 9 }, { digest: "c", start: C - 7 }], digests: null, want: { periodCutoff: C - 9, heldForDigest: "b" } },
    { name: "a digest with no start yet", starts: [{ digest: "m", start: null }], digests: null, want: { periodCutoff: C, heldForDigest: null } },
    { name: "only the rules file's digests count", starts: [{ digest: "gone", start: C - 9 }, { digest: "m", start: C - 2 }], digests: ["m"], want: { periodCutoff: C - 2, heldForDigest: "m" } },
    { name: "an empty list of digests holds nothing back", starts: [{ digest: "m", start: C - 2 }], digests: [], want: { periodCutoff: C, heldForDigest: null } },
    { name: "a start equal to the cutoff changes nothing", starts: [{ digest: "m", start: C }], digests: null, want: { periodCutoff: C, heldForDigest: null } },
  ])("$name", ({ starts, digests, want }) => {
    expect(periodCutoffOf(C, starts, digests)).toEqual(want);
  });
});
