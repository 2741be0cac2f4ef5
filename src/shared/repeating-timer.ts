/**
 * The timer of a service that runs a pass now and then: `start` runs the first pass at once, each
 * pass schedules the next `intervalMs` after it ends, `stop` cancels the one pending. A pass still
 * under way when the service is stopped and started again does not schedule next to the new loop.
 * Unref'd: a pending pass does not keep the process alive.
 */
export function createRepeatingTimer(intervalMs: number, pass: () => Promise<unknown>) {
  let active = false;
  let timer: NodeJS.Timeout | undefined;
  let generation = 0;

  const schedule = (ms: number, gen: number) => {
    if (!active || gen !== generation) return;
    timer = setTimeout(() => {
      timer = undefined;
      void pass().finally(() => schedule(intervalMs, gen));
    }, ms);
    timer.unref?.();
  };

  return {
    /** Whether the loop is on (a pass checks it to end early after a stop). */
    get active(): boolean {
      return active;
    },
    set active(on: boolean) {
      active = on;
    },
    start(): void {
      if (active) return;
      active = true;
      generation++;
      schedule(0, generation);
    },
    stop(): void {
      active = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
