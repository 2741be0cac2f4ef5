import type { Db } from "../db/open-database.js";
import { nextBatchSize, yieldLock } from "../db/write-transaction.js";
import { SqliteEventStore } from "../store/sqlite/event-store.js";
import type { IncomingEvent } from "../events/event-store.js";
import { toIncomingEvent } from "../receiver/accepted-webhook.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { silentLogger } from "../shared/logger.js";
import type { NotificationPage, NotificationQuery, WebhookNotification } from "../shoptet/webhook-notifications.js";
import { SqliteRecoveryStore } from "../store/sqlite/recovery-store.js";
import { RECOVERY_QUERIES, envelopeOf, inOrderOfEvents, nextCursor, nextPage, shouldRecover, startOfRead } from "./recovery-plan.js";

/** The Shoptet calls recovery makes (ShoptetClient has them; tests may fake them). */
export interface NotificationApi {
  hasToken(eshopId: number): boolean;
  webhookNotifications(eshopId: number, query: NotificationQuery): Promise<NotificationPage>;
}

export interface RecoveryDeps {
  db: Db;
  api: NotificationApi;
  clock: Clock;
  logger?: Logger;
  /** After a chunk of new events was committed (`rows` in that transaction): the pipeline should look at them. */
  onStored?: (rows: number) => void;
  /** Notifications looked at so far, and how many the log says there are (when known). */
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Most rows per write transaction (default 200). The size starts at 100 and adapts to the write
   * budget (WRITE_BUDGET_MS), with a pause between transactions, so webhooks never wait long for
   * the lock. Measured (20,000 notifications, 2 busy cores): 2.3-3.1 s in all, 120-150
   * transactions holding the lock 8-11 ms on average, 31 ms at most.
   */
  chunkSize?: number;
  /** Asked before each page and each write: true ends the pass (the daemon is stopping). */
  shouldStop?: () => boolean;
}

/** The pass was ended by `shouldStop`; the cursor stays where it was. */
export class RecoveryStopped extends Error {
  constructor() {
    super("recovery stopped before it finished");
  }
}

export interface RecoveryResult {
  eshopId: number;
  /** Notifications taken (failed, or given up undelivered), each counted once. */
  taken: number;
  /** Stored now, as source 'recovered'. */
  stored: number;
  /** The daemon had them already (as webhooks, or from an earlier pass). */
  alreadyStored: number;
  /** Bodies that could not be made into an event (logged). */
  unusable: number;
  /** Where the read started (epoch ms). */
  fromMs: number;
  ms: number;
}

/**
 * One recovery pass for one e-shop: reads Shoptet's notification log from the cursor, takes the
 * notifications that were never delivered, and stores the ones the daemon does not have through
 * the receiver's own path (same envelope check, dedupe key, job) — in short transactions of at most
 * `chunkSize` rows, so live webhooks keep being stored meanwhile. The cursor moves only after a
 * complete pass: a failure halfway leaves it, and the next pass reads the same span again (what was
 * stored is then "already stored").
 */
export async function recoverEshop(deps: RecoveryDeps, eshopId: number, options: { sinceMs?: number } = {}): Promise<RecoveryResult> {
  const { clock } = deps;
  const logger = deps.logger ?? silentLogger();
  const started = performance.now();
  const repo = new SqliteRecoveryStore(deps.db);
  const events = new SqliteEventStore(deps.db);
  const maxChunk = Math.max(1, deps.chunkSize ?? 200);
  let chunkSize = Math.min(100, maxChunk);
  const fromMs = startOfRead({ now: clock.now(), cursorMs: repo.cursor(eshopId), sinceMs: options.sinceMs });
  const result: RecoveryResult = { eshopId, taken: 0, stored: 0, alreadyStored: 0, unusable: 0, fromMs, ms: 0 };
  const seen = new Set<number>();
  let looked = 0;
  let total = 0;

  for (const query of RECOVERY_QUERIES) {
    for (let page: number | null = 1; page !== null; ) {
      if (deps.shouldStop?.()) throw new RecoveryStopped();
      const answer = await deps.api.webhookNotifications(eshopId, { ...query, fromMs, page });
      if (page === 1) total += answer.paginator?.totalCount ?? answer.notifications.length;
      looked += answer.notifications.length;
      // A notification can move to another page while we read (new ones arrive): take it once.
      const fresh = inOrderOfEvents(answer.notifications.filter((n) => shouldRecover(n) && !seen.has(n.id)));
      for (const n of fresh) seen.add(n.id);
      result.taken += fresh.length;
      await storePage(fresh);
      deps.onProgress?.(looked, total);
      page = nextPage(page, answer.paginator, answer.notifications.length);
    }
  }

  repo.saveCursor(eshopId, nextCursor(fromMs, clock.now()), clock.now(), result.stored);
  result.ms = performance.now() - started;
  return result;

  async function storePage(list: readonly WebhookNotification[]): Promise<void> {
    const rows: IncomingEvent[] = [];
    const receivedAt = clock.now();
    for (const n of list) {
      const made = envelopeOf(n, eshopId);
      if ("reason" in made) {
        result.unusable++;
        logger.warn({ eshopId, notificationId: n.id, reason: made.reason }, "a notification from Shoptet's log could not be stored");
        continue;
      }
      const row: IncomingEvent = {
        ...toIncomingEvent({ raw: Buffer.from(JSON.stringify(made.envelope)), receivedAt, envelope: made.envelope, createdMs: made.createdMs }),
        source: "recovered",
      };
      // Already stored: skip it here rather than in the INSERT, whose duplicate path asks the
      // stock worker for another read of the subject (see EventStore) — every pass re-reads the
      // last hour, and that would cost an API call per subject each time.
      if (repo.has(row.dedupeKey)) result.alreadyStored++;
      else rows.push(row);
    }
    for (let i = 0; i < rows.length; ) {
      if (i > 0) await yieldLock();
      if (deps.shouldStop?.()) throw new RecoveryStopped();
      const chunk = rows.slice(i, i + chunkSize);
      i += chunk.length;
      const began = performance.now();
      const byEvent = new Map<string, number>();
      const outcomes = repo.transaction(() => {
        const stored = events.insertBatch(chunk);
        stored.forEach((s, k) => {
          if (!s.duplicate) byEvent.set(chunk[k]!.event, (byEvent.get(chunk[k]!.event) ?? 0) + 1);
        });
        repo.countRecovered(byEvent);
        return stored;
      });
      for (const o of outcomes) {
        if (o.duplicate) result.alreadyStored++; // a webhook came in between the check and the write
        else result.stored++;
      }
      chunkSize = nextBatchSize(chunkSize, chunk.length, performance.now() - began, { min: Math.min(10, maxChunk), max: maxChunk });
      deps.onStored?.(chunk.length);
    }
  }
}
