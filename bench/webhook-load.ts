/**
 * The load the ingest benchmarks send: unique signed webhook bodies shaped like a shop's
 * (`stock:movement` names one of 3 warehouses, the beta stock events a product code, other events
 * a new instance each), from autocannon in this process, to a daemon or baseline started as a
 * child process.
 */
import autocannon from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { signBody } from "../src/receiver/verify-signature.js";

export const KEY = "bench-key-8a5e881b19ad6cc0bc98658";
// BENCH_EVENTS=order:create,invoice:create measures the receiver alone; the default mix also keeps the stock worker busy.
export const EVENTS = (process.env.BENCH_EVENTS ?? "stock:movement,order:create,stock:soldOut,invoice:create,customer:update").split(",");

export async function startChild(command: string, args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      const plain = /listening (\d+)/.exec(buffer);
      const pino = /listening on [^:]+:(\d+)/.exec(buffer);
      const match = plain ?? pino;
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${command} exited with ${code} before listening`)));
  });
  child.stdout!.resume();
  return { child, port };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Shoptet's eventCreated format: local time with an offset without a colon. */
export function shoptetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

const perEvent = new Map<string, number>();
/**
 * The instance of the k-th body of an event type, and its eventCreated. Identical notifications are
 * one event by design, so each (instance, second) pair is used once: the second advances once per
 * round over the instances (3 warehouses, the 2,000 codes), and starts two days back, so that no
 * body is dated in the future (the receiver flags those) even after millions of requests.
 */
function nextBody(event: string, n: number, run: string, codes: (k: number) => string): { instance: string; createdMs: number } {
  const k = (perEvent.get(event) ?? 0) + 1;
  perEvent.set(event, k);
  if (event === "stock:movement") return { instance: String(1 + (k % 3)), createdMs: firstCreated + Math.floor(k / 3) * 1000 };
  if (event.startsWith("stock:")) return { instance: codes(k), createdMs: firstCreated + Math.floor(k / 2000) * 1000 };
  return { instance: `${run}-${n}`, createdMs: firstCreated + Math.floor(k / 1000) * 1000 };
}

let sequence = 0;
const firstCreated = Date.now() - 2 * 86_400_000;
export function load(port: number, seconds: number, connections: number, overallRate?: number, codes: (k: number) => string = (k) => `P-${(k * 7919) % 2000}`): Promise<autocannon.Result> {
  const run = `${process.pid}-${Date.now()}`;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}`,
        connections,
        duration: seconds,
        ...(overallRate ? { overallRate } : {}),
        requests: [
          {
            method: "POST",
            path: "/webhooks/shoptet",
            setupRequest: (req: any) => {
              sequence++;
              const event = EVENTS[sequence % EVENTS.length]!;
              const { instance, createdMs } = nextBody(event, sequence, run, codes);
              const body = JSON.stringify({ eshopId: 222651, event, eventCreated: shoptetTime(createdMs), eventInstance: instance });
              req.body = body;
              req.headers = { "content-type": "application/json", "shoptet-webhook-signature": signBody(KEY, body) };
              return req;
            },
          },
        ],
      },
      (error: Error | null, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
  });
}

