import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The project folder (two levels above test/reliability/harness). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * How the daemon is started: TypeScript source through tsx (default: a dev checkout's dist may be
 * stale), or the built `dist/main.js` when STOCKWATCH_HARNESS_DIST=1 (after `npm run build`).
 */
function command(): string[] {
  if (process.env.STOCKWATCH_HARNESS_DIST === "1") return [join(PROJECT_ROOT, "dist/main.js")];
  // tsx on this thread, and in the engine thread (Node 20 workers do not get tsx's own hooks).
  return ["--import", "tsx", "--import", join(PROJECT_ROOT, "test/helpers/tsx-in-workers.mjs"), join(PROJECT_ROOT, "src/main.ts")];
}

/** A free TCP port on 127.0.0.1, so a restarted daemon listens where Shoptet keeps sending. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

export interface MemoryFigures {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size since the process started, bytes. */
  peak: number;
}

/** Reads VmRSS / VmHWM of a process from /proc (Linux). */
export function memoryOf(pid: number): MemoryFigures | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

const live = new Set<ChildProcess>();
process.once("exit", () => {
  // A failed test must not leave daemons behind: kill every group this module started.
  for (const child of live) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/** Every line a daemon wrote, across its restarts, with the run it came from. */
export interface LogLine {
  run: number;
  stream: "stdout" | "stderr";
  text: string;
}

export interface DaemonOptions {
  /** The daemon's environment (only this, plus PATH/HOME/TMPDIR: nothing leaks in from the test runner). */
  env: Record<string, string>;
  /** Fixed port; default a free one chosen once, kept across restarts. */
  port?: number;
  readyTimeoutMs?: number;
}

/**
 * A stockwatch daemon run as a child process in its own process group (`detached`), the way an
 * operator runs it: `node src/main.ts` with settings from the environment. It can be started
 * again after it died, on the same port and database, and keeps every log line of every run.
 */
export class Daemon {
  readonly logs: LogLine[] = [];
  port = 0;
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;
  private runs = 0;
  private lineListeners: ((line: LogLine) => void)[] = [];

  constructor(private readonly options: DaemonOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** All output as one text (for secret scans and error messages). */
  text(): string {
    return this.logs.map((l) => l.text).join("\n");
  }

  /** Parsed JSON log lines (pino), skipping anything else. */
  json(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const l of this.logs) {
      if (!l.text.startsWith("{")) continue;
      try {
        out.push(JSON.parse(l.text) as Record<string, unknown>);
      } catch {
        // not a log record
      }
    }
    return out;
  }

  /** Starts the daemon and resolves when it logged that it listens. */
  async start(): Promise<void> {
    if (this.running) throw new Error("daemon already running");
    if (!this.port) this.port = this.options.port ?? (await freePort());
    const run = ++this.runs;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      TMPDIR: process.env.TMPDIR ?? "/tmp",
      HOST: "127.0.0.1",
      PORT: String(this.port),
      ...this.options.env,
    };
    const child = spawn(process.execPath, command(), {
      cwd: PROJECT_ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    live.add(child);
    this.exited = new Promise((resolveExit) => {
      child.once("exit", (code) => {
        live.delete(child);
        resolveExit(code);
      });
    });
    for (const stream of ["stdout", "stderr"] as const) {
      let rest = "";
      child[stream]!.setEncoding("utf8");
      child[stream]!.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const text of parts) this.push({ run, stream, text });
      });
      child[stream]!.on("end", () => {
        if (rest) this.push({ run, stream, text: rest });
        rest = "";
      });
    }
    const timeoutMs = this.options.readyTimeoutMs ?? 20_000;
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`daemon did not start within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const onLine = (line: LogLine) => {
        if (line.run === run && line.text.includes("stockwatch listening on")) {
          cleanup();
          resolveReady();
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        // Let the last output arrive before reporting it.
        setTimeout(() => reject(new Error(`daemon exited (${code}) before listening:\n${this.tail()}`)), 50);
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.lineListeners = this.lineListeners.filter((l) => l !== onLine);
        child.off("exit", onExit);
      };
      this.lineListeners.push(onLine);
      child.once("exit", onExit);
    });
  }

  /** Starts and waits for exit; for startup failures (bad settings, unusable database). */
  async runToExit(timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
    const from = this.logs.length;
    await this.start().catch(() => undefined);
    const code = await Promise.race([
      this.exited!,
      new Promise<null>((r) => setTimeout(() => r(null), timeoutMs)),
    ]);
    if (this.running) await this.kill();
    return { code, output: this.logs.slice(from).map((l) => l.text).join("\n") };
  }

  private push(line: LogLine): void {
    this.logs.push(line);
    for (const l of this.lineListeners) l(line);
  }

  /** Resolves with the first line (from now on, or already logged when `past`) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 10_000, options: { past?: boolean } = {}): Promise<LogLine> {
    if (options.past) {
      const found = this.logs.find(match);
      if (found) return Promise.resolve(found);
    }
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(() => {
        this.lineListeners = this.lineListeners.filter((l) => l !== onLine);
        reject(new Error(`no matching log line within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      const onLine = (line: LogLine) => {
        if (!match(line)) return;
        clearTimeout(timer);
        this.lineListeners = this.lineListeners.filter((l) => l !== onLine);
        resolveLine(line);
      };
      this.lineListeners.push(onLine);
    });
  }

  /** The last lines of output, for error messages. */
  tail(n = 30): string {
    return this.logs.slice(-n).map((l) => `[run ${l.run} ${l.stream}] ${l.text}`).join("\n");
  }

  /** SIGKILL to the whole process group: no handler runs, nothing is flushed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
    await this.exited;
  }

  /** SIGTERM (graceful stop); SIGKILL if it has not exited within `timeoutMs`. Resolves with the exit code. */
  async stop(timeoutMs = 15_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return child?.exitCode ?? null;
    child.kill("SIGTERM");
    const code = await Promise.race([this.exited!, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), timeoutMs))]);
    if (code === "timeout") {
      await this.kill();
      throw new Error(`daemon did not stop within ${timeoutMs} ms of SIGTERM:\n${this.tail()}`);
    }
    return code;
  }

  /** Sends a signal to the daemon (e.g. SIGHUP to reload the rules). */
  signal(name: NodeJS.Signals): void {
    this.child?.kill(name);
  }

  memory(): MemoryFigures | undefined {
    return this.child?.pid ? memoryOf(this.child.pid) : undefined;
  }
}
