import type { WebhookApi } from "../shoptet/shoptet-client.js";
import { ShoptetApiError } from "../shoptet/shoptet-error.js";
import type { Webhook } from "../shoptet/shoptet-types.js";
import { sameUrl } from "./webhook-url.js";

export interface UnregisterPlan {
  /** This daemon's registrations (its URL), limited to `events` when given. */
  remove: Webhook[];
  /** Registrations of other URLs: never touched. */
  others: Webhook[];
}

/** Which registrations `unregister` deletes (pure): only those whose URL is ours. */
export function planUnregister(existing: readonly Webhook[], url: string, events?: ReadonlySet<string> | null): UnregisterPlan {
  const remove: Webhook[] = [];
  const others: Webhook[] = [];
  for (const w of existing) {
    if (!sameUrl(w.url, url)) others.push(w);
    else if (!events || events.has(w.event)) remove.push(w);
  }
  return { remove, others };
}

export interface UnregisterReport extends UnregisterPlan {
  /** Deleted now. */
  removed: Webhook[];
  /** Gone before we got to them (404): someone else deleted them. */
  alreadyGone: Webhook[];
  dryRun: boolean;
}

/** Deletes this daemon's registrations (one DELETE each; a 404 counts as already done). */
export async function unregisterWebhooks(
  api: WebhookApi,
  request: { eshopId: number; url: string; events?: ReadonlySet<string> | null; dryRun?: boolean },
): Promise<UnregisterReport> {
  const plan = planUnregister(await api.listWebhooks(request.eshopId), request.url, request.events);
  const removed: Webhook[] = [];
  const alreadyGone: Webhook[] = [];
  if (!request.dryRun) {
    for (const w of plan.remove) {
      try {
        await api.deleteWebhook(request.eshopId, w.id);
        removed.push(w);
      } catch (error) {
        if (error instanceof ShoptetApiError && error.status === 404) alreadyGone.push(w);
        else throw error;
      }
    }
  }
  return { ...plan, removed, alreadyGone, dryRun: Boolean(request.dryRun) };
}
