import type { Db } from "../db/open-database.js";
import { nextBatchSize, yieldLock } from "../db/write-transaction.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { silentLogger } from "../shared/logger.js";
import type { ShoptetApi } from "../shoptet/shoptet-client.js";
import type { ProductDetail } from "../shoptet/shoptet-types.js";
import { applySupply, applyVariantDetail, settleSupplies } from "./observations.js";
import type { StockStore } from "./stock-store.js";
import { SqliteStockStore } from "../store/sqlite/stock-store.js";
import { blankState, cloneState, type ProductState } from "./stock-state.js";
import type { Level } from "./stock-types.js";
import { StockWriter, type ProductUpdate } from "./stock-writer.js";

export interface SeedDeps {
  db: Db;
  clock: Clock;
  client: ShoptetApi;
  eshopIds: readonly number[];
  logger?: Logger;
  /** Which product details (name, minStockSupply) to read: missing or older than detailStaleMs (default), all, or none. */
  details?: "stale" | "all" | "none";
  detailStaleMs?: number;
  /** Product details read at once (the client still allows 2 requests per token). Default 4. */
  detailConcurrency?: number;
}

/** Progress callback: `total` null while unknown. */
export type SeedProgress = (phase: string, done: number, total: number | null) => void;

export interface SeedResult {
  eshops: number;
  warehouses: number;
  products: number;
  levels: Record<Level, number>;
  detailsRead: number;
  apiCalls: number;
  /** Products seen for the first time. */
  added: number;
  /** Known products whose level or quantity the sync corrected. */
  changed: number;
  ms: number;
}

export interface Collected {
  guid: string | null;
  amounts: Map<number, { amountMilli: number; changeTime: number | null }>;
}

/** One e-shop's sync: its API calls are counted, its progress reported. */
interface SeedCalls {
  deps: SeedDeps;
  eshopId: number;
  call: <T>(p: Promise<T>) => Promise<T>;
  progress: SeedProgress;
}

/** Most products per write transaction; fewer when they take longer than the write budget. */
const WRITE_CHUNK = 500;

/**
 * Seeds or repairs the stock state of e-shops from the API: every warehouse's supplies (paged,
 * 1000 per page), product details where needed, and each warehouse's movement cursor set to its
 * newest movement (read BEFORE the supplies, so nothing after the snapshot is skipped). Does not
 * signal stock changes — no alerts for the past — but records real level changes in the history.
 */
export async function seedFromApi(deps: SeedDeps, progress: SeedProgress = () => {}): Promise<SeedResult> {
  const started = deps.clock.now();
  const logger = deps.logger ?? silentLogger();
  const repo = new SqliteStockStore(deps.db);
  const writer = new StockWriter(repo, () => {});
  let chunkSize = 100;
  const result: SeedResult = { eshops: 0, warehouses: 0, products: 0, levels: { soldOut: 0, low: 0, ok: 0 }, detailsRead: 0, apiCalls: 0, added: 0, changed: 0, ms: 0 };
  const call = <T>(p: Promise<T>): Promise<T> => {
    result.apiCalls++;
    return p;
  };

  for (const eshopId of deps.eshopIds) {
    const { stocks } = await call(deps.client.listStocks(eshopId));
    const calls: SeedCalls = { deps, eshopId, call, progress };
    const cursors = new Map<number, number>();
    const collected = new Map<string, Collected>();
    for (const stock of stocks) {
      const last = await call(deps.client.lastMovement(eshopId, stock.id));
      cursors.set(stock.id, last?.lastId ?? 0);
      await collectSupplies(calls, stock.id, collected);
    }

    const details = await readDetails(calls, repo, collected, logger);
    result.detailsRead += details.read;

    const codes = [...collected.keys()];
    for (let i = 0; i < codes.length; ) {
      const chunk = codes.slice(i, i + chunkSize);
      const started = performance.now();
      repo.transaction(() => {
        const now = deps.clock.now();
        const updates: ProductUpdate[] = chunk.map((code) => {
          const previous = repo.getProduct(eshopId, code);
          return { previous, next: seededState(previous, eshopId, code, collected.get(code)!, details.byCode.get(code), now) };
        });
        for (const change of writer.commit(updates, { event: "sync", eventId: null }, now, false)) {
          if (change.previous === null) result.added++;
          else result.changed++;
        }
        for (const u of updates) result.levels[u.next.level]++;
      });
      chunkSize = nextBatchSize(chunk.length, chunk.length, performance.now() - started, { min: 10, max: WRITE_CHUNK });
      i += chunk.length;
      progress("saving products", i, codes.length);
      // A daemon may be receiving webhooks on the same file: let it have the lock between chunks.
      if (i < codes.length) await yieldLock();
    }
    repo.transaction(() => {
      for (const [stockId, lastId] of cursors) repo.advanceCursor(eshopId, stockId, lastId, deps.clock.now(), false);
    });
    result.eshops++;
    result.warehouses += stocks.length;
    result.products += codes.length;
    logger.info({ eshopId, warehouses: stocks.length, products: codes.length }, "stock state synced from the Shoptet API");
  }
  result.ms = deps.clock.now() - started;
  return result;
}

/** Reads one warehouse's supplies, every page, into `collected` (per product code: its amount per warehouse). */
async function collectSupplies({ deps, eshopId, call, progress }: SeedCalls, stockId: number, collected: Map<string, Collected>): Promise<void> {
  let page = 1;
  let seen = 0;
  for (;;) {
    const res = await call(deps.client.supplies(eshopId, stockId, { page, itemsPerPage: 1000 }));
    for (const s of res.supplies) {
      if (s.amountMilli === null) continue;
      let c = collected.get(s.code);
      if (!c) {
        c = { guid: s.productGuid, amounts: new Map() };
        collected.set(s.code, c);
      }
      c.guid ??= s.productGuid;
      c.amounts.set(stockId, { amountMilli: s.amountMilli, changeTime: s.changeTime });
    }
    seen += res.supplies.length;
    progress(`supplies of stock ${stockId}`, seen, res.paginator?.totalCount ?? null);
    const p = res.paginator;
    if (!p || p.page >= p.pageCount || res.supplies.length === 0) break;
    page++;
  }
}

/** A product's state after a sync: its supplies in every warehouse read (none where it is no longer listed), and its details when read. */
export function seededState(
  previous: ProductState | null,
  eshopId: number,
  code: string,
  c: Collected,
  product: ProductDetail | undefined,
  now: number,
): ProductState {
  const next = previous ? cloneState(previous) : blankState(eshopId, code, now);
  // Every warehouse was read: a warehouse that no longer lists the product holds none of it.
  for (const id of [...next.perStock.keys()]) if (!c.amounts.has(id)) next.perStock.delete(id);
  for (const [stockId, a] of c.amounts) applySupply(next, stockId, a.amountMilli, a.changeTime, c.guid);
  settleSupplies(next);
  const variant = product?.variants.find((v) => v.code === code);
  if (product && variant) applyVariantDetail(next, product, variant, now, false);
  return next;
}

/** Reads product details for codes whose name/minimum are missing or stale, one call per product GUID. */
async function readDetails(
  { deps, eshopId, call, progress }: SeedCalls,
  repo: StockStore,
  collected: ReadonlyMap<string, Collected>,
  logger: Logger,
): Promise<{ byCode: Map<string, ProductDetail>; read: number }> {
  const byCode = new Map<string, ProductDetail>();
  const mode = deps.details ?? "stale";
  if (mode === "none") return { byCode, read: 0 };
  const staleMs = deps.detailStaleMs ?? 24 * 3_600_000;
  const now = deps.clock.now();
  const targets = new Map<string, { guid: string | null; code: string }>();
  for (const [code, c] of collected) {
    if (mode === "stale") {
      const known = repo.getProduct(eshopId, code);
      if (known && known.minCheckedAt !== null && now - known.minCheckedAt < staleMs) continue;
    }
    const key = c.guid ?? `code:${code}`;
    if (!targets.has(key)) targets.set(key, { guid: c.guid, code });
  }
  const queue = [...targets.values()];
  let done = 0;
  let read = 0;
  const workers = Array.from({ length: Math.max(1, deps.detailConcurrency ?? 4) }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      try {
        const product = await call(t.guid ? deps.client.productByGuid(eshopId, t.guid) : deps.client.productByCode(eshopId, t.code));
        if (product) {
          read++;
          for (const v of product.variants) byCode.set(v.code, product);
        }
      } catch (error) {
        logger.warn({ eshopId, code: t.code, err: coerceError(error).message }, "could not read product detail during sync");
      }
      progress("product details", ++done, targets.size);
    }
  });
  await Promise.all(workers);
  return { byCode, read };
}
