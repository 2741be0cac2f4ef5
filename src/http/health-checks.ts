import { accessSync, constants, existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Clock } from "../shared/clock.js";

/**
 * The checks behind `/healthz` (liveness: the process, its loops and its database are usable) and
 * `/readyz` (webhooks can be stored now). Neither may write, nor wait for the database's write
 * lock: a CLI command (`stockwatch prune`) may hold it for seconds, and a check that waits holds
 * the HTTP thread — and every webhook behind it — as long. Whether writes work is learnt instead
 * from the receiver's own batches (IngestState) and from the files' permissions.
 */
export type Checks = Record<string, boolean | string>;

/** A batch failure older than this, with no batch tried since, no longer says how storage is now. */
export const FAILURE_STALE_MS = 60_000;

export interface IngestFailure {
  message: string;
  atMs: number;
  /** It only waited too long for the write lock (another process held it): the storage itself works. */
  lockWait: boolean;
}

/** What the receiver's batch writer did last: fed by its onCommitted / onFailure callbacks. */
export class IngestState {
  private failure: IngestFailure | undefined;

  constructor(private readonly clock: Clock) {}

  committed(): void {
    this.failure = undefined;
  }

  failed(message: string): void {
    this.failure = { message, atMs: this.clock.now(), lockWait: isLockWait(message) };
  }

  /** The last failure, unless a batch committed since or it is stale. */
  lastFailure(): IngestFailure | undefined {
    const f = this.failure;
    return f && this.clock.now() - f.atMs < FAILURE_STALE_MS ? f : undefined;
  }
}

/** The writer's messages come from describeStorageError: "… (SQLITE_BUSY): …". */
function isLockWait(message: string): boolean {
  return /\(SQLITE_(BUSY|LOCKED)/.test(message);
}

/**
 * Why the database's files could not be written, or undefined: the file, its -wal and -shm (when
 * present) and the folder, by access(2) — which reports a read-only mount (EROFS), missing
 * permissions (EACCES) and an immutable file (EPERM) without writing anything.
 */
export function unwritableFile(dbPath: string, access: (path: string) => void = (p) => accessSync(p, constants.W_OK)): string | undefined {
  if (dbPath === "" || dbPath === ":memory:") return undefined;
  const file = resolve(dbPath);
  for (const path of [file, `${file}-wal`, `${file}-shm`, dirname(file)]) {
    if (path !== file && path !== dirname(file) && !existsSync(path)) continue;
    try {
      access(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      return `${path} cannot be written (${code}): check its permissions, the disk, and that it is not immutable or on a read-only mount`;
    }
  }
  return undefined;
}

export interface HealthInputs {
  /** Throws when the database cannot be read. */
  read: () => void;
  unwritable: () => string | undefined;
  ingest: IngestState;
  /** The engine's loops: name → running. */
  services: () => Record<string, boolean>;
}

/**
 * `/healthz`: `database` is true when it can be read, its files can be written and the last
 * webhook batch did not fail for a storage reason (full disk, I/O error, read-only); a batch that
 * only waited too long for another process's lock is the business of `/readyz`. Then one check per
 * loop of the engine.
 */
export function livenessChecks(inputs: HealthInputs): Checks {
  const checks: Checks = {};
  checks.database = databaseCheck(inputs);
  for (const [name, running] of Object.entries(inputs.services())) checks[name] = running;
  return checks;
}

function databaseCheck(inputs: HealthInputs): true | string {
  try {
    inputs.read();
  } catch (error) {
    return `not readable: ${(error as Error).message}`;
  }
  const file = inputs.unwritable();
  if (file) return `not writable: ${file}`;
  const failure = inputs.ingest.lastFailure();
  if (failure && !failure.lockWait) return `not writable: ${failure.message}`;
  return true;
}

/**
 * `/readyz`: webhooks can be stored now. `webhooks`: the last batch was committed (or failed long
 * enough ago to say nothing); `database`: its files can be written; `engine`: the loops that turn
 * stored webhooks into alerts run (webhooks are still stored while they restart, but nothing
 * comes of them yet).
 */
export function readinessChecks(inputs: Omit<HealthInputs, "read">): Checks {
  const failure = inputs.ingest.lastFailure();
  const file = inputs.unwritable();
  const stopped = Object.entries(inputs.services())
    .filter(([, running]) => !running)
    .map(([name]) => name);
  return {
    webhooks: failure ? `the last webhook batch was answered 503: ${failure.message}` : true,
    database: file ? `not writable: ${file}` : true,
    engine: stopped.length ? `not running: ${stopped.join(", ")}` : true,
  };
}
