import { emptyLockHoldStats } from "../db/write-transaction.js";
import { Worker } from "node:worker_threads";
import { ConfigError } from "../shared/errors.js";
import { writeLogLine, type Logger } from "../shared/logger.js";
import type { EngineCore, EngineStatus } from "./engine-core.js";
import type { EngineInit, EngineReply, EngineRequest } from "./engine-protocol.js";
import type { RulesSnapshot } from "../rules/rules-source.js";

/**
 * The HTTP thread's handle on the engine (see engine-core.ts): hears about committed webhooks,
 * runs the pipeline's loops, reports their state.
 */
export interface Engine {
  /** Ready (thread up, connection open). Rejects with a ConfigError the operator can act on. */
  start(): Promise<void>;
  /** Webhooks were committed (see EngineCore.noteIngested). */
  noteIngested(): void;
  /** Webhooks could not be stored: the emergency path. */
  reportStorageFailure(message: string): void;
  /** Starts the loops (stock reads, rules, delivery, digests, reminders); resolves once they run. */
  startServices(): Promise<void>;
  /** The last known state of the loops and the Shoptet call counters. */
  status(): EngineStatus;
  /** Runs every loop until nothing is left to do now (tests, demo). */
  runUntilIdle(): Promise<void>;
  reloadRules(): void;
  wakeDelivery(): void;
  /** Stops the loops and waits for them. */
  close(): Promise<void>;
}

const NOTE_EVERY_MS = 5;

const NO_STATUS: EngineStatus = { services: {}, shoptet: { requests: 0, retries: 0, rateLimited: 0, failures: 0 }, lockHold: emptyLockHoldStats() };

/** The engine on the calling thread: in-memory databases, and the demo's simulated clock. */
export class InlineEngine implements Engine {
  constructor(private readonly core: EngineCore) {}
  async start(): Promise<void> {}
  noteIngested(): void {
    this.core.noteIngested();
  }
  reportStorageFailure(message: string): void {
    this.core.reportStorageFailure(message);
  }
  async startServices(): Promise<void> {
    this.core.startServices();
  }
  status(): EngineStatus {
    return this.core.status();
  }
  runUntilIdle(): Promise<void> {
    return this.core.runUntilIdle();
  }
  reloadRules(): void {
    this.core.reloadRules();
  }
  wakeDelivery(): void {
    this.core.wakeDelivery();
  }
  close(): Promise<void> {
    return this.core.stop();
  }
}

type Waiter<T> = { resolve: (value: T) => void; reject: (error: Error) => void };

/** Answers the request `id` is waiting on (if any) with its value or its error. */
function settle<T>(waiters: Map<number, Waiter<T>>, id: number, error: string | undefined, value: T): void {
  const waiter = waiters.get(id);
  if (!waiter) return;
  waiters.delete(id);
  if (error !== undefined) waiter.reject(new Error(error));
  else waiter.resolve(value);
}

/**
 * The engine on its own worker thread. Should the thread die, it is started again and resumes its
 * loops from what is stored (webhooks keep being committed by the HTTP thread meanwhile).
 */
export class ThreadEngine implements Engine {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private noteTimer: NodeJS.Timeout | undefined;
  private lastNote = Number.NEGATIVE_INFINITY;
  private readonly idles = new Map<number, Waiter<void>>();
  private last: EngineStatus = NO_STATUS;
  private alive = false;
  private servicesWanted = false;
  private servicesStarted: (() => void) | undefined;
  private closing = false;
  private stopped: Promise<void> | undefined;
  private rulesListener: ((rules: RulesSnapshot) => void) | undefined;

  constructor(
    private readonly init: EngineInit,
    private readonly logger: Logger,
  ) {}

  private spawn(): Promise<void> {
    // Under the test runner this module is TypeScript source: load the thread through tsx.
    const fromSource = import.meta.url.endsWith(".ts");
    const url = new URL(fromSource ? "./engine-thread.ts" : "./engine-thread.js", import.meta.url);
    const worker = fromSource
      ? new Worker(`import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`, {
          eval: true,
          workerData: this.init,
        })
      : new Worker(url, { workerData: this.init });
    this.worker = worker;
    let startup: Waiter<void> | undefined;
    const ready = new Promise<void>((resolve, reject) => (startup = { resolve, reject }));
    worker.on("message", (reply: EngineReply) => {
      switch (reply.type) {
        case "log":
          writeLogLine(this.logger, reply.line);
          return;
        case "ready":
          this.alive = true;
          this.last = reply.status;
          startup!.resolve();
          // A thread started again after a failure picks up the loops the first one ran.
          if (this.servicesWanted) this.post({ type: "start" });
          return;
        case "failed":
          startup!.reject(reply.config ? new ConfigError(reply.message) : new Error(`the engine thread could not start: ${reply.message}`));
          return;
        case "status":
          this.last = reply.status;
          return;
        case "rules":
          this.rulesListener?.(reply.rules);
          return;
        case "started":
          this.last = reply.status;
          this.servicesStarted?.();
          this.servicesStarted = undefined;
          return;
        case "idle":
          settle(this.idles, reply.id, reply.error, undefined);
          return;
        case "stopped":
          return;
      }
    });
    worker.on("error", (error) => {
      startup!.reject(error);
      if (!this.closing) this.logger.error({ err: error.message }, "the engine thread failed");
    });
    worker.on("exit", () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.ready = undefined;
      this.alive = false;
      this.failAll(new Error("the engine thread stopped"));
      startup!.reject(new Error("the engine thread stopped before it was ready"));
      if (!this.closing && this.servicesWanted) {
        this.logger.error("the engine thread stopped unexpectedly; starting it again in 1 s");
        setTimeout(() => {
          if (this.closing || this.worker) return;
          this.start().catch((error: Error) =>
            this.logger.error({ err: error.message }, "the engine thread could not be started again; the next webhook tries once more"),
          );
        }, 1000).unref();
      }
    });
    return ready;
  }

  private post(request: EngineRequest): void {
    this.worker?.postMessage(request);
  }

  private failAll(error: Error): void {
    for (const waiter of this.idles.values()) waiter.reject(error);
    this.idles.clear();
  }

  start(): Promise<void> {
    if (this.closing) return Promise.reject(new Error("the engine is closed"));
    if (!this.ready) this.ready = this.spawn();
    return this.ready;
  }

  /**
   * At most one message per NOTE_EVERY_MS however many batches commit: waking the thread costs
   * the HTTP thread more than a batch's commit under load, and the pipeline wants only to know.
   */
  noteIngested(): void {
    if (this.noteTimer) return;
    const wait = this.lastNote + NOTE_EVERY_MS - performance.now();
    const send = () => {
      this.noteTimer = undefined;
      this.lastNote = performance.now();
      this.post({ type: "ingested" });
    };
    if (wait <= 0) send();
    else this.noteTimer = setTimeout(send, wait).unref();
  }

  reportStorageFailure(message: string): void {
    this.post({ type: "storage-failure", message });
  }

  startServices(): Promise<void> {
    this.servicesWanted = true;
    return new Promise<void>((resolve) => {
      this.servicesStarted = resolve;
      this.post({ type: "start" });
    });
  }

  status(): EngineStatus {
    if (this.alive) return this.last;
    return { ...this.last, services: Object.fromEntries(Object.keys(this.last.services).map((name) => [name, false])) };
  }

  async runUntilIdle(): Promise<void> {
    await this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.idles.set(id, { resolve, reject });
      this.post({ type: "idle", id });
    });
  }

  reloadRules(): void {
    this.post({ type: "reload-rules" });
  }

  /** The thread's rules after each of its loads and reloads (see rules-mirror.ts). */
  onRules(listener: (rules: RulesSnapshot) => void): void {
    this.rulesListener = listener;
  }

  wakeDelivery(): void {
    this.post({ type: "wake-delivery" });
  }

  /** Stops the loops, closes the thread's connections, and waits for the thread to end. */
  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.noteTimer);
    this.stopped ??= (async () => {
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage({ type: "stop" } satisfies EngineRequest);
      await exited;
    })();
    return this.stopped;
  }
}
