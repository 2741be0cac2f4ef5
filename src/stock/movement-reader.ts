import { nextBatchSize, yieldLock } from "../db/write-transaction.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { Job } from "../jobs/job-types.js";
import type { JobContext, JobOutcome } from "../jobs/job-worker.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import type { ShoptetApi } from "../shoptet/shoptet-client.js";
import type { Movement, ProductDetail } from "../shoptet/shoptet-types.js";
import { applyMovement, applyVariantDetail } from "./observations.js";
import { fetchProductForCode } from "./product-details.js";
import type { StockStore } from "./stock-store.js";
import { blankState, cloneState, type ProductState } from "./stock-state.js";
import type { ProductUpdate, StockWriter } from "./stock-writer.js";

export interface MovementReaderOptions {
  /** Page size of movement reads; Shoptet's maximum is 1000. */
  itemsPerPage: number;
  /** First contact with a warehouse reads from this long before its first webhook's eventCreated. */
  firstContactMarginMs: number;
  /** …but never further back than this before the job was created (old webhooks stored without a token). */
  firstContactMaxLookbackMs: number;
  /** Product details (name, minStockSupply) fetched inline per page for products never seen; the rest are queued. */
  detailPrefetchLimit: number;
  /** Cached name/minStockSupply older than this is refreshed by a queued job. */
  detailStaleMs: number;
}

export const DEFAULT_MOVEMENT_READER_OPTIONS: MovementReaderOptions = {
  itemsPerPage: 1000,
  firstContactMarginMs: 2 * 60_000,
  firstContactMaxLookbackMs: 24 * 3_600_000,
  detailPrefetchLimit: 20,
  detailStaleMs: 24 * 3_600_000,
};

export interface MovementReaderDeps {
  repo: StockStore;
  writer: StockWriter;
  queue: JobQueue;
  client: ShoptetApi;
  clock: Clock;
  logger: Logger;
  options: MovementReaderOptions;
}

/**
 * Handles `movement-read` jobs: reads a warehouse's movement log after its cursor, every page,
 * and applies each page in chunks of consecutive movements, each chunk in ONE short transaction —
 * movement rows (their primary key makes each id count once), product state, level history, the
 * cursor, and the onStockChanges call. A crash between chunks loses nothing: the next attempt
 * continues after the last committed one.
 */
export function movementReader(deps: MovementReaderDeps) {
  const { repo, client, clock, options } = deps;
  // Movements per transaction: adapts so that applying them and their rules stays within the write budget.
  let chunkSize = 250;

  /** Moves the cursor of a warehouse without applying anything. */
  const moveCursor = (ctx: JobContext, eshopId: number, stockId: number, lastId: number) =>
    repo.transaction(() => {
      ctx.assertOwned();
      repo.advanceCursor(eshopId, stockId, lastId, clock.now(), true);
    });

  /**
   * A page of up to 1,000 movements (and the rules they trigger) is applied in chunks, each in its
   * own short transaction that also moves the cursor, with a pause between them.
   */
  const applyInChunks = async (ctx: JobContext, page: PageToApply) => {
    const { eshopId, stockId, movements } = page;
    for (let at = 0; at < movements.length; ) {
      const chunk = movements.slice(at, at + chunkSize);
      const started = performance.now();
      repo.transaction(() => {
        ctx.assertOwned();
        const now = clock.now();
        applyPage(deps, { ...page, movements: chunk }, now);
        repo.advanceCursor(eshopId, stockId, chunk[chunk.length - 1]!.id, now, true);
      });
      chunkSize = nextBatchSize(chunkSize, chunk.length, performance.now() - started, { min: 20, max: 1000 });
      at += chunk.length;
      if (at < movements.length) await yieldLock();
    }
  };

  return async function readMovements(job: Job, ctx: JobContext): Promise<JobOutcome | void> {
    const stockId = stockIdOf(job.subject);
    if (!client.hasToken(job.eshopId)) {
      return {
        note:
          `skipped: no Shoptet API token for e-shop ${job.eshopId}, so movements cannot be read ` +
          `(set SHOPTET_API_TOKEN_${job.eshopId} or SHOPTET_API_TOKEN; beta stock events still work)`,
      };
    }
    const cause = { event: "stock:movement", eventId: job.eventId };
    let lastId = repo.getCursor(job.eshopId, stockId)?.lastId ?? null;
    const startFrom = lastId === null ? firstContactStart(repo.firstMovementWebhook(job.eshopId, stockId), job.createdAt, options) : null;
    // Asked BEFORE the first read: if that read finds nothing since `startFrom`, every movement up
    // to this id is older, and one made meanwhile has a higher id — so the cursor may start here.
    const newest = lastId === null ? await client.lastMovement(job.eshopId, stockId) : null;

    for (let first = lastId === null; ; first = false) {
      const page = await client.movements(
        job.eshopId,
        stockId,
        first ? { changeTimeFrom: startFrom!, itemsPerPage: options.itemsPerPage } : { lastId: lastId!, itemsPerPage: options.itemsPerPage },
      );
      const fresh = newMovements(page.movements, lastId);
      if (first && fresh.length === 0) {
        // Nothing since shortly before the first webhook: start the cursor at the newest movement.
        moveCursor(ctx, job.eshopId, stockId, newest?.lastId ?? 0);
        return;
      }
      const details = await prefetchDetails(deps, job.eshopId, fresh);
      if (fresh.length === 0) moveCursor(ctx, job.eshopId, stockId, lastId!);
      await applyInChunks(ctx, { eshopId: job.eshopId, stockId, movements: fresh, details, cause });
      lastId = fresh.length ? fresh[fresh.length - 1]!.id : lastId!;
      if (!hasMorePages(page, options.itemsPerPage)) return;
    }
  };
}

/** The stock id a `movement-read` job is for; a subject that is not one fails the job for good. */
export function stockIdOf(subject: string): number {
  const stockId = Number(subject);
  if (!/^\d+$/.test(subject) || !Number.isSafeInteger(stockId)) {
    throw Object.assign(new Error(`stock:movement eventInstance "${subject}" is not a stock id`), { permanent: true });
  }
  return stockId;
}

/** The movements of a page after the cursor, in id order. */
export function newMovements(movements: readonly Movement[], lastId: number | null): Movement[] {
  return movements.filter((m) => lastId === null || m.id > lastId).sort((a, b) => a.id - b.id);
}

/** Whether the movement log has another page after this one. */
export function hasMorePages(page: { movements: readonly unknown[]; paginator: { page: number; pageCount: number } | null }, itemsPerPage: number): boolean {
  const p = page.paginator;
  return page.movements.length >= itemsPerPage || (p !== null && p.page < p.pageCount);
}

/**
 * Where the first read of a warehouse starts: a margin before the earliest stored webhook for it
 * (Shoptet's eventCreated; a delivery retried 15 minutes later still carries the original time),
 * so the movement that caused the webhook is read, not skipped by starting at `/movements/last`;
 * never further back than the look-back limit before the job was created.
 */
export function firstContactStart(
  first: { createdMs: number | null; receivedMs: number | null },
  jobCreatedAt: number,
  options: Pick<MovementReaderOptions, "firstContactMarginMs" | "firstContactMaxLookbackMs">,
): number {
  const candidates = [first.createdMs, first.receivedMs, jobCreatedAt].filter((t): t is number => t !== null);
  const earliest = Math.min(...candidates);
  return Math.max(earliest, jobCreatedAt - options.firstContactMaxLookbackMs) - options.firstContactMarginMs;
}

/** Products never seen (or never checked) among the movements, up to `limit`, with the guid to fetch them by. */
export function detailsToPrefetch(
  movements: readonly Movement[],
  states: ReadonlyMap<string, { checkedAt: number | null; guid: string | null }>,
  limit: number,
): Map<string, string | null> {
  const wanted = new Map<string, string | null>();
  for (const m of movements) {
    if (wanted.has(m.productCode) || wanted.size >= limit) continue;
    const known = states.get(m.productCode);
    if (!known || known.checkedAt === null) wanted.set(m.productCode, m.productGuid ?? known?.guid ?? null);
  }
  return wanted;
}

/** Fetches details of products never seen before, up to the limit, outside any transaction. */
async function prefetchDetails(deps: MovementReaderDeps, eshopId: number, movements: readonly Movement[]): Promise<Map<string, ProductDetail>> {
  const { repo, client } = deps;
  const out = new Map<string, ProductDetail>();
  const states = repo.detailState(eshopId, [...new Set(movements.map((m) => m.productCode))]);
  for (const [code, guid] of detailsToPrefetch(movements, states, deps.options.detailPrefetchLimit)) {
    if (out.has(code)) continue;
    try {
      const product = await fetchProductForCode(client, repo, eshopId, code, guid);
      if (product) for (const v of product.variants) out.set(v.code, product);
    } catch (error) {
      // Details are a nicety here; the queued refresh job retries them.
      deps.logger.warn({ eshopId, code, err: coerceError(error).message }, "could not read product detail; queued a refresh");
    }
  }
  return out;
}

interface PageToApply {
  eshopId: number;
  stockId: number;
  movements: readonly Movement[];
  details: ReadonlyMap<string, ProductDetail>;
  cause: { event: string; eventId: number | null };
}

function applyPage(deps: MovementReaderDeps, page: PageToApply, now: number): void {
  const { repo } = deps;
  const { eshopId, stockId, movements, details } = page;
  const touched = new Map<string, ProductUpdate>();
  const known = repo.getProducts(eshopId, [...new Set(movements.map((m) => m.productCode))]);
  for (const m of movements) {
    if (!repo.insertMovement(eshopId, stockId, m, now)) continue; // applied before
    let u = touched.get(m.productCode);
    if (!u) {
      const previous = known.get(m.productCode) ?? null;
      u = { previous, next: previous ? cloneState(previous) : blankState(eshopId, m.productCode, now) };
      touched.set(m.productCode, u);
    }
    applyMovement(u.next, stockId, m);
  }
  const updates = [...touched.values()];
  for (const u of updates) {
    const product = details.get(u.next.code);
    const variant = product?.variants.find((v) => v.code === u.next.code);
    if (product && variant) applyVariantDetail(u.next, product, variant, now, false);
  }
  deps.writer.commit(updates, page.cause, now, true);
  for (const u of updates) {
    const job = refreshJobFor(u.next, now, deps.options.detailStaleMs);
    if (job) deps.queue.enqueue(job, now);
  }
}

/** The refresh job for a product whose name and minimum are older than `staleMs` (or never read); null when fresh. */
export function refreshJobFor(s: ProductState, now: number, staleMs: number) {
  if (s.minCheckedAt !== null && now - s.minCheckedAt < staleMs) return null;
  return s.guid
    ? { kind: "product-refresh" as const, eshopId: s.eshopId, subject: s.guid, runAt: now }
    : { kind: "variant-refresh" as const, eshopId: s.eshopId, subject: s.code, runAt: now };
}
