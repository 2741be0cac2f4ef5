import { describe, expect, it } from "vitest";
import { createIngestPacer } from "../../../src/engine/ingest-pacer.js";

describe("ingest pacer", () => {
  const rig = () => {
    let t = 1_000;
    const sleeps: number[] = [];
    const pacer = createIngestPacer({
      now: () => t,
      burst: 3,
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

  it("does not hold up the job of a lone webhook, nor of a few spread out", async () => {
    const { pacer, sleeps, advance } = rig();
    pacer.noteIngest();
    await pacer.pace();
    advance(30);
    pacer.noteIngest();
    advance(30);
    pacer.noteIngest();
    await pacer.pace(); // three commits, but over 60 ms
    expect(sleeps).toEqual([]);
  });

  it("spaces pipeline rounds while webhooks pour in, and stops once they stop", async () => {
    const { pacer, sleeps, advance } = rig();
    for (let i = 0; i < 3; i++) {
      pacer.noteIngest();
      advance(5);
    }
    expect(pacer.busy()).toBe(true);
    await pacer.pace();
    expect(sleeps).toEqual([5]);
    advance(60);
    expect(pacer.busy()).toBe(false);
    await pacer.pace();
    expect(sleeps).toEqual([5]);
  });
});
