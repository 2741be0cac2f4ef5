import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError } from "../shared/errors.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** One server for both paths: webhooks to their own hot-path handler, the rest to the web app. */
export function createHttpServer(isWebhook: (req: IncomingMessage) => boolean, handleWebhook: Handler, web: Handler): Server {
  // Check header and request timeouts every second (Node checks every 30 s by default).
  const server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
    if (isWebhook(req)) handleWebhook(req, res);
    else web(req, res);
  });
  // Slow or stuck clients must not hold sockets: Shoptet itself gives up after 4 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Listens; resolves with the port bound, or rejects with a ConfigError that says what to change. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(listenError(error, port, host));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once("error", onError);
    server.once("listening", onListening);
    server.listen(port, host);
  });
}

/** What to tell the operator when the port cannot be had: a ConfigError that says what to change, else the error itself. */
export function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  if (error.code === "EADDRINUSE") return new ConfigError(`port ${port} on ${host} is already in use: stop the other process or set PORT`);
  if (error.code === "EACCES") return new ConfigError(`no permission to listen on port ${port}: use a port above 1024 or set PORT`);
  return error;
}

/** Stops accepting: in-flight requests finish; idle keep-alive sockets close now, busy ones after answering (at most 5 s). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 5_000).unref();
  });
}
