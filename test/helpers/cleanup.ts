import { afterEach } from "vitest";

export type Closer = () => unknown;

/** A list the test file pushes closers on; after each test they run, last pushed first. */
export function closeAfterEach(): Closer[] {
  const closers: Closer[] = [];
  afterEach(async () => {
    while (closers.length) await closers.pop()!();
  });
  return closers;
}
