import type { InsertResult } from "../events/event-store.js";
import type { AcceptedWebhook, WriteResult } from "./accepted-webhook.js";
import { coerceError } from "../shared/errors.js";
import type { BatchWriter } from "./batch-writer.js";

export type IngestCallback = (error: Error | null, result?: InsertResult) => void;

/**
 * IngestQueue is group commit for webhooks. Requests wait in a batch while the previous batch is
 * being committed; when it is done, everything that arrived meanwhile is written in one transaction
 * (one fsync with synchronous=FULL), and each request is answered only after its batch committed.
 * The batch size adapts to the load: one request when idle, hundreds under a burst.
 */
export class IngestQueue {
  private events: AcceptedWebhook[] = [];
  private callbacks: IngestCallback[] = [];
  private scheduled = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly writer: BatchWriter,
    private readonly options: {
      maxBatch?: number;
      /**
       * Batches handed to the writer at once. Default 1: requests that arrive while a batch
       * commits wait here and go as the next, larger batch — measured faster on 2 cores than
       * queueing a second small batch behind the first (fewer thread wake-ups and flushes).
       */
      maxInFlight?: number;
      /** After a batch committed; `results` has one entry per event (some may be per-event errors). */
      onCommit?: (results: readonly WriteResult[], events: readonly AcceptedWebhook[]) => void;
      onError?: (error: Error, batchSize: number) => void;
    } = {},
  ) {}

  submit(event: AcceptedWebhook, callback: IngestCallback): void {
    this.events.push(event);
    this.callbacks.push(callback);
    if (!this.scheduled && this.inFlight.size < this.maxInFlight) {
      this.scheduled = true;
      // Let every request already readable in this turn of the event loop join the batch.
      setImmediate(() => {
        this.scheduled = false;
        this.pump();
      });
    }
  }

  /** Requests accepted but not yet committed. */
  get size(): number {
    return this.events.length;
  }

  private get maxInFlight(): number {
    return this.options.maxInFlight ?? 1;
  }

  private pump(): void {
    if (this.inFlight.size >= this.maxInFlight || this.events.length === 0) return;
    const max = this.options.maxBatch ?? 2000;
    const events = this.events.splice(0, max);
    const callbacks = this.callbacks.splice(0, max);
    const done: Promise<void> = this.writer.write(events).then(
      (results) => {
        for (let i = 0; i < callbacks.length; i++) {
          const r = results[i];
          if (r !== undefined && "error" in r) {
            const error = new Error(r.error);
            this.options.onError?.(error, 1);
            callbacks[i]!(error);
          } else callbacks[i]!(null, r);
        }
        this.options.onCommit?.(results, events);
      },
      (thrown: unknown) => {
        const error = coerceError(thrown);
        this.options.onError?.(error, events.length);
        for (const cb of callbacks) cb(error);
      },
    ).finally(() => {
      this.inFlight.delete(done);
      this.pump();
    });
    this.inFlight.add(done);
  }

  /** Resolves once everything submitted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.inFlight.size || this.events.length) {
      this.pump();
      await Promise.all(this.inFlight);
    }
  }
}
