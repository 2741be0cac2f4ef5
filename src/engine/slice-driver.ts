import { yieldLock } from "../db/write-transaction.js";

/**
 * Runs work that is cut into short write transactions (`step` does one and returns null when
 * nothing is left), pausing between them so that a webhook batch waiting for the write lock gets
 * it: back-to-back transactions would leave it only microsecond gaps.
 */
export interface SliceDriver {
  /** There is work: run `step` until it returns null (a no-op while already running). */
  kick(): void;
  /** Stops after the current step; resolves when it has. */
  stop(): Promise<void>;
}

export function createSliceDriver(
  step: () => unknown,
  options: { pauseMs?: number; retryMs?: number; onError: (error: unknown) => void },
): SliceDriver {
  const pauseMs = options.pauseMs ?? 2;
  let running: Promise<void> = Promise.resolve();
  let active = false;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const run = async () => {
    try {
      for (;;) {
        let result: unknown;
        try {
          result = step();
        } catch (error) {
          options.onError(error);
          // A lock that could not be had, a full disk: the work is still scheduled; try again soon.
          retry ??= setTimeout(() => {
            retry = undefined;
            driver.kick();
          }, options.retryMs ?? 1000);
          return;
        }
        if (result === null || stopped) return;
        await yieldLock(pauseMs);
        if (stopped) return;
      }
    } finally {
      // Runs synchronously when the first step finds nothing: a kick right after must start again.
      active = false;
    }
  };

  const driver: SliceDriver = {
    kick() {
      if (stopped || active) return;
      active = true;
      running = run();
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await running;
    },
  };
  return driver;
}
