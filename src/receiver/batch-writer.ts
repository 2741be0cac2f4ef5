import { Worker } from "node:worker_threads";
import type { EventRepo } from "../events/event-repo.js";
import { packBatch, rowOf, storeRows, type AcceptedWebhook, type WriteResult } from "./accepted-webhook.js";
import type { WriterInit, WriterReply } from "./ingest-worker.js";

/**
 * Commits one batch of events in one transaction: one result per event, in order (an event that
 * cannot be turned into a row gets an error result; the others are still stored). Rejects when
 * the transaction itself fails (database busy, full, read-only).
 */
export interface BatchWriter {
  write(batch: AcceptedWebhook[]): Promise<WriteResult[]>;
  close(): Promise<void>;
}

/** Commits on the calling thread (CLI tools, tests of the queue). */
export class InlineWriter implements BatchWriter {
  constructor(private readonly repo: EventRepo) {}
  async write(batch: AcceptedWebhook[]): Promise<WriteResult[]> {
    return storeRows((events) => this.repo.insertBatch(events), batch.map((w) => rowOf(() => w)));
  }
  async close(): Promise<void> {}
}

/**
 * Commits on a worker thread with its own connection, so the HTTP thread is never blocked by a
 * commit. If the thread dies, its pending batches fail (answered 503) and a new thread is started.
 */
export class ThreadWriter implements BatchWriter {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: WriteResult[]) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly init: WriterInit) {}

  private spawn(): Promise<void> {
    // Under the test runner this module is TypeScript source: load the worker through tsx.
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./ingest-worker.ts" : "./ingest-worker.js", import.meta.url);
    const worker = fromSource
      ? new Worker(
          `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
          { eval: true, workerData: this.init },
        )
      : new Worker(url, { workerData: this.init });
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => {
      const onFirst = () => resolve();
      worker.once("message", onFirst);
      worker.once("error", reject);
    });
    worker.on("message", (reply: WriterReply) => {
      if (reply.id === 0) return;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.error !== undefined) waiter.reject(new Error(reply.error));
      else waiter.resolve(reply.results ?? []);
    });
    worker.on("error", (error) => this.failAll(error));
    worker.on("exit", () => {
      if (this.worker === worker) {
        this.worker = undefined;
        this.ready = undefined;
      }
      this.failAll(new Error("the ingest writer thread stopped"));
    });
    return ready;
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  /** Starts the thread and waits until its connection is open. */
  start(): Promise<void> {
    if (!this.ready) this.ready = this.spawn();
    return this.ready;
  }

  async write(batch: AcceptedWebhook[]): Promise<WriteResult[]> {
    if (this.closed) throw new Error("the ingest writer is closed");
    await this.start();
    const id = this.nextId++;
    const packed = packBatch(batch);
    return new Promise<WriteResult[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, packed }, [packed.bodies, packed.offsets.buffer, packed.receivedAt.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage("close");
    await exited;
  }
}
