import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRepeatingTimer } from "../../../src/shared/repeating-timer.js";

describe("createRepeatingTimer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs a pass at start, then one interval after each pass ends, until stopped", async () => {
    let passes = 0;
    const loop = createRepeatingTimer(1000, async () => void passes++);
    loop.start();
    loop.start(); // already on: no second loop
    await vi.advanceTimersByTimeAsync(0);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(passes).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(passes).toBe(2);
    loop.stop();
    expect(loop.active).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(passes).toBe(2);
  });

  it("a pass still under way when stopped and started again does not schedule a second loop", async () => {
    let passes = 0;
    let finish: () => void = () => {};
    const loop = createRepeatingTimer(1000, () => {
      passes++;
      return passes === 1 ? new Promise<void>((resolve) => (finish = resolve)) : Promise.resolve();
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0); // pass 1 under way
    loop.stop();
    loop.start(); // pass 2 at once
    await vi.advanceTimersByTimeAsync(0);
    finish(); // pass 1 ends: its loop is over
    await vi.advanceTimersByTimeAsync(1000);
    expect(passes).toBe(3); // the new loop's next pass only, not one from each
    await vi.advanceTimersByTimeAsync(1000);
    expect(passes).toBe(4);
  });
});
