import { closeSync, fdatasync, openSync } from "node:fs";

/**
 * Makes committed WAL transactions durable off the committing thread.
 *
 * The ingest connection commits with synchronous=NORMAL: SQLite writes the transaction's frames
 * to the -wal file but does not wait for the disk. `sync()` then flushes the -wal file
 * (fdatasync, on libuv's thread pool) and resolves once every frame written before the call is
 * on disk — the same guarantee synchronous=FULL gives, but the thread keeps committing while the
 * disk works, and one flush covers every commit made while the previous one ran (group commit
 * at the file level). A webhook is answered 200 only after its batch's `sync()` resolved.
 */
export class WalSyncer {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(
    private readonly walPath: string,
    private readonly flush: WalFlush = datasyncWal(),
  ) {}

  /** Waits for a running flush, then releases the file. */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    this.flush.close?.();
  }

  /** Resolves when everything written to the WAL before this call is durable; rejects when the flush fails. */
  sync(): Promise<void> {
    // A flush already running may have started before our frames were written: wait for the next.
    if (this.queued) return this.queued;
    if (!this.running) return (this.running = this.start());
    this.queued = this.running.then(
      () => this.promote(),
      () => this.promote(),
    );
    return this.queued;
  }

  private promote(): Promise<void> {
    this.queued = undefined;
    return (this.running = this.start());
  }

  private start(): Promise<void> {
    const flushing = this.flush(this.walPath);
    const clear = () => {
      if (this.running === flushing) this.running = undefined;
    };
    flushing.then(clear, clear);
    return flushing;
  }
}

/**
 * fdatasync of one descriptor kept open: SQLite keeps the same -wal file (truncating or
 * overwriting it, never replacing it) while any connection is open, and the HTTP thread's is.
 */
export function datasyncWal(): WalFlush {
  let fd: number | undefined;
  const flush: WalFlush = (path) =>
    new Promise<void>((resolve, reject) => {
      try {
        fd ??= openSync(path, "r");
      } catch (error) {
        reject(error);
        return;
      }
      fdatasync(fd, (error) => (error ? reject(error) : resolve()));
    });
  flush.close = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  return flush;
}

/** Flushes the file at `path`; `close` releases what it holds open. */
export type WalFlush = ((path: string) => Promise<void>) & { close?: () => void };
