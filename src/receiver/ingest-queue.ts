import type { EventRepo, IncomingEvent, InsertResult } from "../events/event-repo.js";
import { coerceError } from "../shared/errors.js";

export type IngestCallback = (error: Error | null, result?: InsertResult) => void;

/**
 * IngestQueue is group commit for webhooks. Requests that arrive in the same turn of the event loop
 * are written in one SQLite transaction (one fsync with synchronous=FULL), and each is answered only
 * after that transaction commits. Durability then costs one fsync per batch, not per request.
 */
export class IngestQueue {
  private events: IncomingEvent[] = [];
  private callbacks: IngestCallback[] = [];
  private scheduled = false;

  constructor(
    private readonly repo: EventRepo,
    private readonly options: {
      maxBatch?: number;
      /** After each successful commit, with the number of new (non-duplicate) events. */
      onCommit?: (results: readonly InsertResult[], events: readonly IncomingEvent[]) => void;
      onError?: (error: Error, batchSize: number) => void;
    } = {},
  ) {}

  submit(event: IncomingEvent, callback: IngestCallback): void {
    this.events.push(event);
    this.callbacks.push(callback);
    if (this.events.length >= (this.options.maxBatch ?? 1000)) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Pending requests not yet committed (for graceful shutdown). */
  get size(): number {
    return this.events.length;
  }

  flush(): void {
    this.scheduled = false;
    if (this.events.length === 0) return;
    const events = this.events;
    const callbacks = this.callbacks;
    this.events = [];
    this.callbacks = [];
    let results: InsertResult[];
    try {
      results = this.repo.insertBatch(events);
    } catch (thrown) {
      const error = coerceError(thrown);
      this.options.onError?.(error, events.length);
      for (const cb of callbacks) cb(error);
      return;
    }
    for (let i = 0; i < callbacks.length; i++) callbacks[i]!(null, results[i]);
    this.options.onCommit?.(results, events);
  }
}
