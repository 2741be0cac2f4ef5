import { Worker } from "node:worker_threads";
import type { RulesSnapshot } from "../rules/rules-source.js";
import { ConfigError } from "../shared/errors.js";
import { writeLogLine, type Logger } from "../shared/logger.js";
import { NO_STATUS, type Engine, type EngineStatus } from "./engine.js";
import type { EngineInit, EngineReply, EngineRequest } from "./engine-protocol.js";

/** At most one "noteIngested" message per this many ms, however many batches commit. */
const NOTE_EVERY_MS = 5;

type Waiter = { resolve: () => void; reject: (error: Error) => void };

/**
 * The engine on its own worker thread: a message bridge (engine-protocol.ts) to the local engine
 * that the thread (`entry`, engine-thread.ts) runs. Should the thread die, it is started again and
 * resumes its loops from what is stored (webhooks keep being committed by the HTTP thread meanwhile).
 */
export class ThreadEngine implements Engine {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private startup: Waiter | undefined;
  private nextId = 1;
  private noteTimer: NodeJS.Timeout | undefined;
  private lastNote = Number.NEGATIVE_INFINITY;
  private readonly idles = new Map<number, Waiter>();
  private last: EngineStatus = NO_STATUS;
  private alive = false;
  private servicesWanted = false;
  private servicesStarted: (() => void) | undefined;
  private closing = false;
  private stopped: Promise<void> | undefined;
  private rulesListener: ((rules: RulesSnapshot) => void) | undefined;

  /**
   * @param entry the thread's module (engine-thread.js beside this one in a build), as the
   *   composition root resolves it.
   */
  constructor(
    private readonly entry: URL,
    private readonly init: EngineInit,
    private readonly logger: Logger,
  ) {}

  private spawn(): Promise<void> {
    const worker = new Worker(this.entry, { workerData: this.init });
    this.worker = worker;
    const ready = new Promise<void>((resolve, reject) => (this.startup = { resolve, reject }));
    worker.on("message", (reply: EngineReply) => this.hear(reply));
    worker.on("error", (error) => {
      this.startup?.reject(error);
      if (!this.closing) this.logger.error({ err: error.message }, "the engine thread failed");
    });
    worker.on("exit", () => this.exited(worker));
    return ready;
  }

  private hear(reply: EngineReply): void {
    switch (reply.type) {
      case "log":
        return writeLogLine(this.logger, reply.line);
      case "ready":
        this.alive = true;
        this.last = reply.status;
        this.startup?.resolve();
        // A thread started again after a failure picks up the loops the first one ran.
        if (this.servicesWanted) this.post({ type: "startServices" });
        return;
      case "failed":
        this.startup?.reject(reply.config ? new ConfigError(reply.message) : new Error(`the engine thread could not start: ${reply.message}`));
        return;
      case "status":
        this.last = reply.status;
        return;
      case "rules":
        return this.rulesListener?.(reply.rules);
      case "started":
        this.last = reply.status;
        this.servicesStarted?.();
        this.servicesStarted = undefined;
        return;
      case "idle":
        return this.settleIdle(reply.id, reply.error);
      case "closed":
        return;
    }
  }

  private settleIdle(id: number, error: string | undefined): void {
    const waiter = this.idles.get(id);
    if (!waiter) return;
    this.idles.delete(id);
    if (error !== undefined) waiter.reject(new Error(error));
    else waiter.resolve();
  }

  private exited(worker: Worker): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    this.alive = false;
    for (const waiter of this.idles.values()) waiter.reject(new Error("the engine thread stopped"));
    this.idles.clear();
    this.startup?.reject(new Error("the engine thread stopped before it was ready"));
    if (this.closing || !this.servicesWanted) return;
    this.logger.error("the engine thread stopped unexpectedly; starting it again in 1 s");
    setTimeout(() => {
      if (this.closing || this.worker) return;
      this.start().catch((error: Error) =>
        this.logger.error({ err: error.message }, "the engine thread could not be started again; the next webhook tries once more"),
      );
    }, 1000).unref();
  }

  private post(request: EngineRequest): void {
    this.worker?.postMessage(request);
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
      this.post({ type: "noteIngested" });
    };
    if (wait <= 0) send();
    else this.noteTimer = setTimeout(send, wait).unref();
  }

  reportStorageFailure(message: string): void {
    this.post({ type: "reportStorageFailure", message });
  }

  startServices(): Promise<void> {
    this.servicesWanted = true;
    return new Promise<void>((resolve) => {
      this.servicesStarted = resolve;
      this.post({ type: "startServices" });
    });
  }

  /** The thread's last report (every second); its loops count as stopped while it is down. */
  status(): EngineStatus {
    if (this.alive) return this.last;
    return { ...this.last, services: Object.fromEntries(Object.keys(this.last.services).map((name) => [name, false])) };
  }

  async runUntilIdle(): Promise<void> {
    await this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.idles.set(id, { resolve, reject });
      this.post({ type: "runUntilIdle", id });
    });
  }

  reloadRules(): void {
    this.post({ type: "reloadRules" });
  }

  wakeDelivery(): void {
    this.post({ type: "wakeDelivery" });
  }

  /** The thread's rules after each of its loads and reloads (see rules-mirror.ts). */
  onRules(listener: (rules: RulesSnapshot) => void): void {
    this.rulesListener = listener;
  }

  /** Stops the loops, closes the thread's connections, and waits for the thread to end. */
  close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.noteTimer);
    this.stopped ??= (async () => {
      const worker = this.worker;
      if (!worker) return;
      const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
      worker.postMessage({ type: "close" } satisfies EngineRequest);
      await exited;
    })();
    return this.stopped;
  }
}
