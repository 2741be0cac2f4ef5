/**
 * The baseline for `npm run bench:ingest`: a raw node:http server that only verifies the Shoptet
 * signature and parses the JSON, then answers 200. No storage, no framework.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { isValidSignature } from "../src/receiver/verify-signature.js";

const key = process.env.SHOPTET_WEBHOOK_KEY ?? "bench-key";
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks);
    if (!isValidSignature(key, raw, req.headers["shoptet-webhook-signature"])) {
      res.writeHead(401).end();
      return;
    }
    try {
      JSON.parse(raw.toString("utf8"));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = '{"ok":true}';
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
  });
});
server.keepAliveTimeout = 5000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
