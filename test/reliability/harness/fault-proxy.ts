import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * What the proxy does with a request instead of forwarding it: a canned answer, a TCP reset
 * (RST, as a crashed upstream or a dropping load balancer sends), a response whose body starts
 * and never ends, or no answer at all.
 */
export type ProxyFault =
  | { status: number; headers?: Record<string, string>; body?: string }
  | ((now: number) => { status: number; headers?: Record<string, string>; body?: string })
  | "reset"
  | "partial"
  | "hang";

export interface ProxiedRequest {
  at: number;
  method: string;
  path: string;
  /** "pass" when forwarded, else the fault's name or status. */
  outcome: string;
}

/**
 * FaultProxy sits between the daemon and a loopback stand-in and injects faults into matching
 * requests, in order; everything else is forwarded unchanged. Real sockets, real resets.
 */
export class FaultProxy {
  url = "";
  readonly log: ProxiedRequest[] = [];
  private server: Server | undefined;
  private readonly faults: { match: RegExp; fault: ProxyFault }[] = [];
  private readonly held = new Set<Socket>();

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next request whose path (with query) matches gets `fault`; several queue in order. */
  failNext(match: RegExp, ...faults: ProxyFault[]): void {
    for (const fault of faults) this.faults.push({ match, fault });
  }

  /** Requests to paths matching `match`, in arrival order. */
  requests(match: RegExp): ProxiedRequest[] {
    return this.log.filter((r) => match.test(r.path));
  }

  /** Faults not yet served. */
  get pendingFaults(): number {
    return this.faults.length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? "/";
    const entry: ProxiedRequest = { at: Date.now(), method: req.method ?? "GET", path, outcome: "pass" };
    this.log.push(entry);
    const i = this.faults.findIndex((f) => f.match.test(path));
    const fault = i === -1 ? undefined : this.faults.splice(i, 1)[0]!.fault;
    if (fault === undefined) return this.forward(req, res);
    if (fault === "reset") {
      entry.outcome = "reset";
      req.socket.resetAndDestroy();
      return;
    }
    if (fault === "hang" || fault === "partial") {
      entry.outcome = fault;
      this.held.add(req.socket);
      req.socket.once("close", () => this.held.delete(req.socket));
      if (fault === "partial") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "4096" });
        res.write('{"data":{"movements":[');
      }
      return;
    }
    const f = typeof fault === "function" ? fault(Date.now()) : fault;
    entry.outcome = String(f.status);
    const body = f.body ?? JSON.stringify({ data: null, errors: [{ errorCode: `http-${f.status}`, message: "injected by the fault proxy", instance: "proxy" }] });
    res.writeHead(f.status, { "content-type": "application/json", ...f.headers });
    res.end(body);
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(new URL(req.url ?? "/", this.target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const s of this.held) s.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
