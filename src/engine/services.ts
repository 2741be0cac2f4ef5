/** A background loop the app starts and stops (stock worker, delivery worker, scheduler…). */
export interface Service {
  name: string;
  start(): void;
  stop(): Promise<void>;
  running(): boolean;
}

/** Wraps a worker that has start/stop but no notion of "running" of its own. */
export function asService(name: string, worker: { start(): void; stop(): Promise<void> }): Service {
  let active = false;
  return {
    name,
    start() {
      worker.start();
      active = true;
    },
    async stop() {
      active = false;
      await worker.stop();
    },
    running: () => active,
  };
}

/** Calls `fn` every `ms` while started; errors are reported, never thrown into the timer. */
export function everyService(name: string, ms: number, fn: () => void, onError: (error: unknown) => void): Service {
  let timer: NodeJS.Timeout | undefined;
  return {
    name,
    start() {
      timer ??= setInterval(() => {
        try {
          fn();
        } catch (error) {
          onError(error);
        }
      }, ms);
      timer.unref?.();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    running: () => timer !== undefined,
  };
}
