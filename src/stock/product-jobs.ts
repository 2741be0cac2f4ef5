import type { Job } from "../jobs/job-types.js";
import type { JobContext, JobOutcome } from "../jobs/job-worker.js";
import type { Clock } from "../shared/clock.js";
import type { ShoptetApi } from "../shoptet/shoptet-client.js";
import type { ProductDetail } from "../shoptet/shoptet-types.js";
import { applyTrustedBetaEvent, isBetaStockEvent } from "./observations.js";
import { detailUpdates, fetchProductForCode } from "./product-details.js";
import type { StockStore } from "./stock-store.js";
import { blankState, cloneState, type Cause } from "./stock-state.js";
import type { StockWriter } from "./stock-writer.js";

export interface ProductJobDeps {
  repo: StockStore;
  writer: StockWriter;
  client: ShoptetApi;
  clock: Clock;
}

function noToken(eshopId: number): JobOutcome {
  return { note: `skipped: no Shoptet API token for e-shop ${eshopId} (set SHOPTET_API_TOKEN_${eshopId} or SHOPTET_API_TOKEN)` };
}

/** Applies a fresh product detail (amounts included) to every variant, in one transaction. */
function applyDetail(deps: ProductJobDeps, ctx: JobContext, eshopId: number, product: ProductDetail, cause: Cause, beta?: { code: string; eventMs: number | null }): void {
  deps.repo.transaction(() => {
    ctx.assertOwned();
    const now = deps.clock.now();
    const updates = detailUpdates(deps.repo, eshopId, product, now, true);
    if (beta) {
      const u = updates.find((x) => x.next.code === beta.code);
      if (u) u.next.levelEventMs = beta.eventMs;
    }
    deps.writer.commit(updates, cause, now, true);
  });
}

/**
 * Handles `product-level` jobs (beta `stock:soldOut` / `stock:inStock` /
 * `stock:minStockSupplyReached`, subject = product code). Shoptet delivers these in parallel and
 * out of order, so the job never trusts the event it was created by: with a token it reads the
 * product's current quantities; without one it applies the NEWEST stored beta event for the code
 * (by eventCreated) and ignores anything older than what was already applied.
 */
export function productLevelHandler(deps: ProductJobDeps) {
  return async function productLevel(job: Job, ctx: JobContext): Promise<JobOutcome | void> {
    const { repo } = deps;
    const code = job.subject;
    const newest = repo.newestBetaEvent(job.eshopId, code);
    if (!newest || !isBetaStockEvent(newest.event)) return { note: "no beta stock event stored for this code" };
    const cause: Cause = { event: newest.event, eventId: newest.id };

    if (deps.client.hasToken(job.eshopId)) {
      const product = await fetchProductForCode(deps.client, repo, job.eshopId, code);
      if (!product || !product.variants.some((v) => v.code === code)) {
        return { note: `product code "${code}" not found at Shoptet (deleted or renamed?); level unchanged` };
      }
      applyDetail(deps, ctx, job.eshopId, product, cause, { code, eventMs: newest.eventCreatedMs });
      return;
    }

    const event = newest.event;
    repo.transaction(() => {
      ctx.assertOwned();
      const now = deps.clock.now();
      const previous = repo.getProduct(job.eshopId, code);
      if (previous?.levelEventMs != null && newest.eventCreatedMs !== null && newest.eventCreatedMs < previous.levelEventMs) {
        return; // a newer event was applied already
      }
      const next = previous ? cloneState(previous) : blankState(job.eshopId, code, now);
      const level = applyTrustedBetaEvent(next, event, newest.eventCreatedMs);
      deps.writer.commit([{ previous, next, explicitLevel: level }], cause, now, true);
    });
  };
}

/**
 * Handles `product-refresh` (subject = product GUID, from `product:update` or queued when cached
 * details are missing/stale) and `variant-refresh` (subject = variant code, from
 * `productVariant:update`): re-reads name, minStockSupply and quantities of every variant.
 */
export function productRefreshHandler(deps: ProductJobDeps, by: "guid" | "code") {
  return async function productRefresh(job: Job, ctx: JobContext): Promise<JobOutcome | void> {
    if (!deps.client.hasToken(job.eshopId)) return noToken(job.eshopId);
    const product =
      by === "guid"
        ? await deps.client.productByGuid(job.eshopId, job.subject)
        : await fetchProductForCode(deps.client, deps.repo, job.eshopId, job.subject);
    if (!product) return { note: `product ${by} "${job.subject}" not found at Shoptet` };
    const cause: Cause = {
      event: job.eventId === null ? "refresh" : by === "guid" ? "product:update" : "productVariant:update",
      eventId: job.eventId,
    };
    applyDetail(deps, ctx, job.eshopId, product, cause);
  };
}
