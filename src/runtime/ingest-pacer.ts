/**
 * Ingest first. While webhooks keep arriving, back-to-back pipeline work (stock jobs) waits a
 * few milliseconds between rounds instead of running flat out, so the engine thread and the CPU
 * stay free for the commits Shoptet is waiting on (it gives up after 4 s). The jobs are durable
 * rows: a storm only delays them, and they catch up as soon as the storm passes.
 */
export interface IngestPacer {
  /** Called for every committed webhook batch. */
  noteIngest(): void;
  /** Resolves when the next round of pipeline work may start. */
  pace(): Promise<void>;
}

export interface IngestPacerOptions {
  /** Monotonic ms. */
  now?: () => number;
  /** Webhooks within this window count as "pouring in". Default 50 ms. */
  busyWindowMs?: number;
  /** The wait between rounds while they do. Default 20 ms. */
  pauseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function createIngestPacer(options: IngestPacerOptions = {}): IngestPacer {
  const now = options.now ?? (() => performance.now());
  const window = options.busyWindowMs ?? 50;
  const pause = options.pauseMs ?? 20;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let last = Number.NEGATIVE_INFINITY;
  return {
    noteIngest() {
      last = now();
    },
    pace() {
      if (now() - last < window) return sleep(pause);
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
