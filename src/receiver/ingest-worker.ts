/**
 * The ingest writer thread: owns one SQLite connection and commits webhook batches, so the HTTP
 * thread keeps reading and verifying requests while a commit (and its fsync) is under way.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../db/open-database.js";
import { describeStorageError } from "../db/storage-errors.js";
import { EventRepo } from "../events/event-repo.js";
import { storeRows, unpackBatch, type PackedBatch, type WriteResult } from "./accepted-webhook.js";

export interface WriterInit {
  dbPath: string;
  /** How long a batch may wait for the write lock before the requests get 503 (Shoptet gives up at 4 s). */
  busyTimeoutMs: number;
}

export type WriterRequest = { id: number; packed: PackedBatch };
export type WriterReply = { id: number; results?: WriteResult[]; error?: string };

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
    reply = { id: request.id, results: storeRows((events) => repo.insertBatch(events), unpackBatch(request.packed)) };
  } catch (error) {
    reply = { id: request.id, error: describeStorageError(error) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ id: 0, results: [] } satisfies WriterReply);
