/**
 * The ingest writer thread: owns one SQLite connection and commits webhook batches, so the HTTP
 * thread keeps reading and verifying requests while a commit (and its fsync) is under way.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../db/open-database.js";
import { EventRepo } from "../events/event-repo.js";
import { unpackBatch, type PackedBatch } from "./accepted-webhook.js";

export interface WriterInit {
  dbPath: string;
  /** How long a batch may wait for the write lock before the requests get 503 (Shoptet gives up at 4 s). */
  busyTimeoutMs: number;
}

export type WriterRequest = { id: number; packed: PackedBatch };
export type WriterReply = { id: number; results?: { id: number; duplicate: boolean }[]; error?: string };

const init = workerData as WriterInit;
const db = openDatabase(init.dbPath, { migrate: false });
db.pragma(`busy_timeout = ${init.busyTimeoutMs}`);
const repo = new EventRepo(db);

parentPort!.on("message", (request: WriterRequest | "close") => {
  if (request === "close") {
    db.close();
    parentPort!.close();
    return;
  }
  let reply: WriterReply;
  try {
    reply = { id: request.id, results: repo.insertBatch(unpackBatch(request.packed)) };
  } catch (error) {
    reply = { id: request.id, error: (error as Error).message };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ id: 0, results: [] } satisfies WriterReply);
