/**
 * Ingest first. While webhooks pour in, back-to-back pipeline work (stock jobs, and the event
 * rules' passes) waits between rounds instead of running flat out, so the CPU and the database's
 * write lock stay free for the commits Shoptet is waiting on (it gives up after 4 s). The jobs are durable rows, one pending
 * per warehouse or product: a storm only delays them, and they catch up as soon as it passes.
 * A lone webhook is not a storm: its job runs at once.
 */
export interface IngestPacer {
  /** Called when webhooks were committed. */
  noteIngest(): void;
  /** Resolves when the next round of pipeline work may start. */
  pace(): Promise<void>;
  /** Whether webhooks are pouring in now. */
  busy(): boolean;
  /** The wait between rounds while they do. */
  readonly pauseMs: number;
}

export interface IngestPacerOptions {
  /** Monotonic ms. */
  now?: () => number;
  /** Webhooks "pour in" when this many commits were noted within busyWindowMs. Default 3. */
  burst?: number;
  /** Default 50 ms. */
  busyWindowMs?: number;
  /** The wait between rounds while they do. Default 50 ms. */
  pauseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export function createIngestPacer(options: IngestPacerOptions = {}): IngestPacer {
  const now = options.now ?? (() => performance.now());
  const burst = Math.max(1, options.burst ?? 3);
  const window = options.busyWindowMs ?? 50;
  const pause = options.pauseMs ?? 50;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // The times of the last `burst` notes, oldest first.
  const recent: number[] = [];
  const busy = () => recent.length === burst && now() - recent[0]! < window;
  return {
    busy,
    pauseMs: pause,
    noteIngest() {
      recent.push(now());
      if (recent.length > burst) recent.shift();
    },
    pace() {
      if (busy()) return sleep(pause);
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}
