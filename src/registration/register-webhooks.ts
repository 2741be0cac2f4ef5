import { WEBHOOKS_PER_CREATE, type WebhookApi } from "../shoptet/shoptet-client.js";
import { ShoptetApiError } from "../shoptet/shoptet-error.js";
import type { Webhook } from "../shoptet/shoptet-types.js";
import type { WantedEvent } from "./event-selection.js";
import { planRegistration, type PlanOptions, type PlanStep, type RegistrationPlan } from "./plan-registration.js";
import { sameUrl } from "./webhook-url.js";

/** What happened to one wanted event. */
export type StepOutcome = "planned" | "added" | "updated" | "kept" | "skipped" | "failed";

export interface StepResult {
  event: string;
  step: PlanStep;
  outcome: StepOutcome;
  /** The registration's id at Shoptet, when there is one. */
  id: number | null;
  /** Shoptet's words or ours, for the operator. */
  detail: string;
}

export interface RegisterReport {
  url: string;
  /** The plan made from the first listing. */
  plan: RegistrationPlan;
  results: StepResult[];
  /** Whether anything was changed at Shoptet. */
  changed: boolean;
  /** After changes, a fresh listing confirmed every added/updated/kept event at our URL. */
  verified: boolean | null;
}

export interface RegisterRequest extends PlanOptions {
  eshopId: number;
  url: string;
  wanted: readonly WantedEvent[];
  dryRun?: boolean;
}

const CONFLICT_STATUSES = new Set([409, 422]);

function isConflict(error: unknown): error is ShoptetApiError {
  return error instanceof ShoptetApiError && CONFLICT_STATUSES.has(error.status);
}

function shoptetSays(error: ShoptetApiError): string {
  return error.message.replace(/^Shoptet API answered /, "Shoptet answered ");
}

/**
 * Registers the wanted events for `url`, idempotently: lists what the installation has, plans
 * (planRegistration), re-points and creates only what is missing, up to 50 per POST. A 409 or 422
 * on a POST means Shoptet's state moved under us (another run, someone in the admin) or a conflict
 * it knows better: the listing is read again, the plan made again, and what is still missing is
 * created one by one, so each refusal is attributed to its event. Finally the listing is read once
 * more to confirm the result. A second run changes nothing.
 */
export async function registerWebhooks(api: WebhookApi, request: RegisterRequest): Promise<RegisterReport> {
  const { eshopId, url, wanted } = request;
  const plan = planRegistration(await api.listWebhooks(eshopId), wanted, url, request);
  const results = new Map<string, StepResult>();
  const set = (r: StepResult) => results.set(r.event, r);

  if (request.dryRun) {
    for (const step of plan.steps) set({ event: step.event, step, outcome: "planned", id: "id" in step ? step.id : null, detail: step.reason });
    return { url, plan, results: [...results.values()], changed: false, verified: null };
  }

  const created = new Set<number>();
  let changed = false;
  const first = await apply(plan, false);
  if (first.conflicted) {
    const again = planRegistration(await api.listWebhooks(eshopId), wanted, url, request);
    await apply(again, true);
  }

  let verified: boolean | null = null;
  if (changed) {
    const now = await api.listWebhooks(eshopId);
    verified = true;
    for (const r of results.values()) {
      if (r.outcome !== "added" && r.outcome !== "updated" && r.outcome !== "kept") continue;
      const found = now.find((w) => w.event === r.event && sameUrl(w.url, url));
      if (!found) {
        verified = false;
        set({ ...r, outcome: "failed", detail: `not registered after all: Shoptet's list does not show ${r.event} for this URL; run register again` });
      }
    }
  }
  // Report in the order of the first plan.
  const ordered = plan.steps.map((s) => results.get(s.event)).filter((r): r is StepResult => r !== undefined);
  return { url, plan, results: ordered, changed, verified };

  /** Carries out one plan; `oneByOne` after a conflict, so each refusal names its event. */
  async function apply(p: RegistrationPlan, oneByOne: boolean): Promise<{ conflicted: boolean }> {
    const adds: PlanStep[] = [];
    for (const step of p.steps) {
      switch (step.kind) {
        case "keep": {
          const before = results.get(step.event);
          // Created by us in the first pass and seen again in the second: still "added".
          if (before?.outcome === "added" || before?.outcome === "updated" || created.has(step.id)) break;
          set({ event: step.event, step, outcome: "kept", id: step.id, detail: step.reason });
          break;
        }
        case "skip-conflict":
        case "skip-taken":
          set({ event: step.event, step, outcome: "skipped", id: "id" in step ? step.id : null, detail: step.reason });
          break;
        case "update-url":
          try {
            await api.updateWebhook(eshopId, step.id, { url });
            changed = true;
            set({ event: step.event, step, outcome: "updated", id: step.id, detail: `${step.reason}; was ${step.from}` });
          } catch (error) {
            // Deleted meanwhile: then it is simply missing, and the second pass adds it.
            if (error instanceof ShoptetApiError && error.status === 404 && !oneByOne) return { conflicted: true };
            throw error;
          }
          break;
        case "add":
          adds.push(step);
          break;
      }
    }
    const size = oneByOne ? 1 : WEBHOOKS_PER_CREATE;
    for (let i = 0; i < adds.length; i += size) {
      const chunk = adds.slice(i, i + size);
      let made: Webhook[];
      try {
        made = await api.createWebhooks(
          eshopId,
          chunk.map((s) => ({ event: s.event, url })),
        );
      } catch (error) {
        if (!isConflict(error)) {
          if (oneByOne && error instanceof ShoptetApiError && error.status === 400) {
            const step = chunk[0]!;
            set({ event: step.event, step, outcome: "failed", id: null, detail: shoptetSays(error) });
            continue;
          }
          throw error;
        }
        if (!oneByOne) return { conflicted: true };
        const step = chunk[0]!;
        set({
          event: step.event,
          step,
          outcome: error.status === 422 ? "kept" : "skipped",
          id: null,
          detail:
            error.status === 422
              ? `already registered (${shoptetSays(error)})`
              : `refused as a conflict (${shoptetSays(error)})`,
        });
        continue;
      }
      changed ||= made.length > 0;
      for (const w of made) {
        created.add(w.id);
        const step = chunk.find((s) => s.event === w.event);
        if (step) set({ event: w.event, step, outcome: "added", id: w.id, detail: step.reason });
      }
      // A 201 that created only part of the list (Shoptet's `errors` name the rest): look again.
      if (!oneByOne && chunk.some((s) => !made.some((w) => w.event === s.event))) return { conflicted: true };
    }
    return { conflicted: false };
  }
}
