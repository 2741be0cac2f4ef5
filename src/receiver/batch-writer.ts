import type { EventRepo } from "../events/event-repo.js";
import { rowOf, storeRows, type AcceptedWebhook, type WriteResult } from "./accepted-webhook.js";

/**
 * Commits one batch of events in one transaction: one result per event, in order (an event that
 * cannot be turned into a row gets an error result; the others are still stored). Rejects when
 * the transaction itself fails (database busy, full, read-only).
 */
export interface BatchWriter {
  write(batch: AcceptedWebhook[]): Promise<WriteResult[]>;
  close(): Promise<void>;
}

/** Commits on the calling thread (tests of the queue); the daemon commits on its engine thread (runtime/engine.ts). */
export class InlineWriter implements BatchWriter {
  constructor(private readonly repo: EventRepo) {}
  async write(batch: AcceptedWebhook[]): Promise<WriteResult[]> {
    return storeRows((events) => this.repo.insertBatch(events), batch.map((w) => rowOf(() => w)));
  }
  async close(): Promise<void> {}
}
