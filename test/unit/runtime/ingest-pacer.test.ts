import { describe, expect, it } from "vitest";
import { createIngestPacer } from "../../../src/runtime/ingest-pacer.js";

describe("ingest pacer", () => {
  const rig = () => {
    let t = 1_000;
    const sleeps: number[] = [];
    const pacer = createIngestPacer({
      now: () => t,
      busyWindowMs: 50,
      pauseMs: 5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return { pacer, sleeps, advance: (ms: number) => (t += ms) };
  };

  it("lets pipeline work run back to back when no webhook arrived", async () => {
    const { pacer, sleeps } = rig();
    await pacer.pace();
    expect(sleeps).toEqual([]);
  });

  it("spaces pipeline rounds while webhooks pour in, and stops once they stop", async () => {
    const { pacer, sleeps, advance } = rig();
    pacer.noteIngest();
    advance(10);
    await pacer.pace();
    expect(sleeps).toEqual([5]);
    advance(60);
    await pacer.pace();
    expect(sleeps).toEqual([5]);
  });
});
