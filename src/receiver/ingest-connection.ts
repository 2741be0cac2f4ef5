import type { IncomingMessage } from "node:http";
import { openDatabase, type Db } from "../db/open-database.js";

const WEBHOOK_PATH = "/webhooks/shoptet";

/**
 * The HTTP thread's connection for webhook batches. synchronous=NORMAL: a commit writes the WAL
 * without waiting for the disk, and the batch is answered only after a WalSyncer flush of the
 * -wal file (the guarantee of FULL, without blocking this thread). busy_timeout=0: a taken write
 * lock fails at once and the batch tries again later instead of sleeping the thread
 * (SqliteBatchWriter). No checkpoints: the engine thread runs them.
 */
export function ingestConnection(path: string): Db {
  const conn = openDatabase(path, { migrate: false });
  conn.pragma("synchronous = NORMAL");
  conn.pragma("busy_timeout = 0");
  conn.pragma("wal_autocheckpoint = 0");
  return conn;
}

/** Whether a request is a webhook delivery (POST to the webhook path), for the hot path's own handler. */
export function isWebhook(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  // The path with a trailing slash is the same route: a URL registered with one must not get "405 use POST".
  const url = req.url ?? "";
  if (url === WEBHOOK_PATH || url.startsWith(`${WEBHOOK_PATH}?`)) return true;
  return url === `${WEBHOOK_PATH}/` || url.startsWith(`${WEBHOOK_PATH}/?`);
}
