import { Agent, request } from "node:http";
import { signBody } from "../../../src/receiver/verify-signature.js";
import type { Envelope } from "../../helpers/webhooks.js";

export type { Envelope };

/** One notification as Shoptet keeps it: the exact bytes and signature, re-sent unchanged on retry. */
export interface Notification {
  /** Test-side identity (not sent). */
  tag: string;
  envelope: Envelope;
  body: Buffer;
  signature: string;
  attempts: number;
  /** The 200 answer, once one arrived. */
  acked?: { id: number; duplicate: boolean };
}

export function notification(tag: string, envelope: Envelope, key: string): Notification {
  const body = Buffer.from(JSON.stringify(envelope));
  return { tag, envelope, body, signature: signBody(key, body), attempts: 0 };
}

/** Shoptet's datetime format: offset without a colon. */
export function shoptetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

export type PostOutcome =
  | { kind: "answer"; status: number; body: string; ms: number }
  | { kind: "error"; code: string; ms: number; reusedSocket?: boolean };

/** POSTs raw bytes to the webhook route; never throws (a refused or cut connection is an outcome). */
export function postRaw(
  baseUrl: string,
  body: Buffer | string,
  options: { headers?: Record<string, string>; timeoutMs?: number; agent?: Agent; path?: string } = {},
): Promise<PostOutcome> {
  const started = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: PostOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const url = new URL(options.path ?? "/webhooks/shoptet", baseUrl);
    const req = request(url, {
      method: "POST",
      agent: options.agent ?? false,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...options.headers },
    });
    // Shoptet waits 4 s for the 200; later answers count as failures (and it sends again).
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" }));
    }, options.timeoutMs ?? 4000);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => finish({ kind: "answer", status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), ms: ms() }));
      res.on("error", (e: NodeJS.ErrnoException) => finish({ kind: "error", code: e.code ?? e.message, ms: ms() }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => finish({ kind: "error", code: e.code ?? e.message, ms: ms(), reusedSocket: req.reusedSocket }));
    req.end(body);
  });
}

/** Counts of what the sender saw: statuses and connection errors. */
export type OutcomeCounts = Record<string, number>;

/**
 * ShoptetSender delivers notifications the way Shoptet does: up to `concurrency` at once, each
 * waiting at most 4 s for a 200; anything else (refused, cut, 503, timeout) is kept to be sent
 * again later, with the same bytes. Every 200 is recorded with the id the daemon answered.
 */
export class ShoptetSender {
  readonly acked: Notification[] = [];
  failed: Notification[] = [];
  readonly counts: OutcomeCounts = {};
  /** Latencies of 200 answers, ms. */
  readonly latencies: number[] = [];
  private readonly agent: Agent;
  private stopping = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly baseUrl: () => string,
    private readonly options: { concurrency?: number; timeoutMs?: number } = {},
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 16 });
  }

  /** Sends one notification and records the outcome; true when it was acknowledged. */
  async deliver(n: Notification): Promise<boolean> {
    n.attempts++;
    const outcome = await postRaw(this.baseUrl(), n.body, {
      headers: { "shoptet-webhook-signature": n.signature },
      agent: this.agent,
      timeoutMs: this.options.timeoutMs ?? 4000,
    });
    const label = outcome.kind === "answer" ? String(outcome.status) : outcome.code;
    this.counts[label] = (this.counts[label] ?? 0) + 1;
    if (outcome.kind === "answer" && outcome.status === 200) {
      const json = JSON.parse(outcome.body) as { id: number; duplicate: boolean };
      n.acked = { id: json.id, duplicate: json.duplicate };
      this.acked.push(n);
      this.latencies.push(outcome.ms);
      return true;
    }
    this.failed.push(n);
    return false;
  }

  /** Starts `concurrency` loops that send whatever `next()` hands out, until it returns undefined or stop(). */
  start(next: () => Notification | undefined): void {
    this.stopping = false;
    const loop = async () => {
      while (!this.stopping) {
        const n = next();
        if (!n) return;
        await this.deliver(n);
      }
    };
    this.workers = Array.from({ length: this.options.concurrency ?? 16 }, loop);
  }

  /** Waits for the loops to finish (after `next()` ran dry, or after asking them to stop). */
  async finish(): Promise<void> {
    await Promise.all(this.workers);
    this.workers = [];
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.finish();
  }

  /** Takes the failed notifications (to send them again). */
  takeFailed(): Notification[] {
    const out = this.failed;
    this.failed = [];
    return out;
  }

  close(): void {
    this.agent.destroy();
  }
}
