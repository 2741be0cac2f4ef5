import { describe, expect, it } from "vitest";
import { WalSyncer } from "../../../src/db/wal-syncer.js";

/** A flush the test finishes by hand, to see which callers wait for which flush. */
function manualFlush() {
  const flushes: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const flush = () => new Promise<void>((resolve, reject) => flushes.push({ resolve, reject }));
  return { flushes, flush };
}

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe("WalSyncer", () => {
  it("makes a caller that arrives during a flush wait for the next one, which covers every such caller", async () => {
    const { flushes, flush } = manualFlush();
    const syncer = new WalSyncer("/unused-wal", flush);
    const first = syncer.sync();
    expect(flushes).toHaveLength(1);
    // Written after the first flush began: that flush may not cover these two.
    const second = syncer.sync();
    const third = syncer.sync();
    expect(flushes).toHaveLength(1);
    flushes[0]!.resolve();
    await first;
    expect(await settled(second)).toBe(false);
    expect(flushes).toHaveLength(2);
    flushes[1]!.resolve();
    await Promise.all([second, third]);
    // Idle again: the next caller starts a flush of its own at once.
    void syncer.sync();
    expect(flushes).toHaveLength(3);
    flushes[2]!.resolve();
  });

  it("rejects the callers of a failed flush, and the next flush is tried afresh", async () => {
    const { flushes, flush } = manualFlush();
    const syncer = new WalSyncer("/unused-wal", flush);
    const failing = syncer.sync();
    const waiting = syncer.sync();
    flushes[0]!.reject(Object.assign(new Error("EIO"), { code: "EIO" }));
    await expect(failing).rejects.toThrow("EIO");
    await new Promise((r) => setImmediate(r));
    expect(flushes).toHaveLength(2);
    flushes[1]!.resolve();
    await expect(waiting).resolves.toBeUndefined();
  });
});
