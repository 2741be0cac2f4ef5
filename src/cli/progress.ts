/**
 * Progress for long CLI work, on stderr: a live counter (or bar when the total is known) when
 * stderr is a terminal, nothing otherwise. The caller prints its own one-line summary at the end.
 */
export interface Progress {
  /** Adds `n` done units; `total` may be learned along the way. */
  tick(n?: number, total?: number): void;
  /** Sets the absolute count done (and the total, when known). */
  update(done: number, total?: number): void;
  /** Clears the live line. */
  done(): void;
}

/** A stream progress can go to: process.stderr, or a test's collector. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export function createProgress(
  label: string,
  stream: ProgressStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  if (!stream.isTTY) return { tick() {}, update() {}, done() {} };
  let count = 0;
  let total: number | undefined;
  let last = 0;
  const render = () => {
    if (total && total > 0) {
      const width = 24;
      const filled = Math.min(width, Math.round((count / total) * width));
      stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${count}/${total}`);
    } else {
      stream.write(`\r${label} ${count}`);
    }
  };
  const maybeRender = () => {
    const at = now();
    if (at - last >= 100) {
      last = at;
      render();
    }
  };
  return {
    tick(n = 1, t?: number) {
      count += n;
      if (t !== undefined) total = t;
      maybeRender();
    },
    update(doneCount: number, t?: number) {
      count = doneCount;
      if (t !== undefined) total = t;
      maybeRender();
    },
    done() {
      stream.write("\r\x1b[K");
    },
  };
}
