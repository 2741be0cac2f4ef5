/** How long and how often `waitFor` polls. */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Pause between polls (default 20 ms). */
  everyMs?: number;
  /** Runs after each unsuccessful poll, e.g. to move a test clock past a pacing delay. */
  between?: () => void;
}

/**
 * Polls `probe` until it returns a truthy value and resolves with that value; rejects with
 * `what` in the message once the timeout passes. The one polling helper of the test suite.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions | number = {},
): Promise<T> {
  const { timeoutMs = 10_000, everyMs = 20, between } = typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
    between?.();
  }
}
