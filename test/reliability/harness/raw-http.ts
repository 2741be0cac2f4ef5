import { connect, type Socket } from "node:net";

/** What came back on a raw connection: the bytes received, and whether/when the server closed it. */
export interface RawExchange {
  response: string;
  status: number | null;
  closed: boolean;
  /** Milliseconds from connect to close (or to giving up). */
  ms: number;
  error?: string;
}

function statusOf(response: string): number | null {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

/**
 * Writes raw bytes on a fresh TCP connection (anything at all: header values no HTTP client
 * would send, declared lengths that never arrive) and collects the answer until the server
 * closes the connection, or until `timeoutMs`.
 */
export function rawExchange(port: number, request: Buffer | string, timeoutMs = 5000): Promise<RawExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const response = Buffer.concat(chunks).toString("latin1");
      socket.destroy();
      resolve({ response, status: statusOf(response), closed, ms: Date.now() - started, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on("close", () => finish(true));
    socket.write(request);
  });
}

/** A client that dribbles: writes `first`, then `drip()` every `everyMs` until the server closes. */
export function dribble(port: number, first: string, drip: () => string, everyMs: number, giveUpMs: number): Promise<RawExchange> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearInterval(interval);
      clearTimeout(timer);
      socket.destroy();
      const response = Buffer.concat(chunks).toString("latin1");
      resolve({ response, status: statusOf(response), closed, ms: Date.now() - started });
    };
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.on("close", () => finish(true));
    socket.write(first);
    const interval = setInterval(() => {
      if (!socket.destroyed) socket.write(drip());
    }, everyMs);
    const timer = setTimeout(() => finish(false), giveUpMs);
  });
}

/** A complete HTTP/1.1 POST to the webhook route as raw text, with `Connection: close`. */
export function rawPost(body: Buffer | string, headers: Record<string, string> | [string, string][], path = "/webhooks/shoptet"): Buffer {
  const list = Array.isArray(headers) ? headers : Object.entries(headers);
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const head =
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${bytes.length}\r\n` +
    list.map(([k, v]) => `${k}: ${v}\r\n`).join("") +
    "\r\n";
  return Buffer.concat([Buffer.from(head, "latin1"), bytes]);
}
