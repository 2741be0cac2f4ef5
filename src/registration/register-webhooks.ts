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
  const run = new RegistrationRun(api, eshopId, url);
  if (request.dryRun) {
    for (const step of plan.steps) run.set(step, "planned", "id" in step ? step.id : null, step.reason);
    return { url, plan, results: run.inOrderOf(plan), changed: false, verified: null };
  }
  const first = await run.apply(plan, false);
  if (first.conflicted) await run.apply(planRegistration(await api.listWebhooks(eshopId), wanted, url, request), true);
  const verified = run.changed ? await run.verify() : null;
  // Report in the order of the first plan.
  return { url, plan, results: run.inOrderOf(plan), changed: run.changed, verified };
}

/** One registration at Shoptet as it is carried out: the result per event, what was created, whether anything changed. */
class RegistrationRun {
  private readonly results = new Map<string, StepResult>();
  private readonly created = new Set<number>();
  changed = false;

  constructor(
    private readonly api: WebhookApi,
    private readonly eshopId: number,
    private readonly url: string,
  ) {}

  set(step: PlanStep, outcome: StepOutcome, id: number | null, detail: string): void {
    this.results.set(step.event, { event: step.event, step, outcome, id, detail });
  }

  inOrderOf(plan: RegistrationPlan): StepResult[] {
    return plan.steps.map((s) => this.results.get(s.event)).filter((r): r is StepResult => r !== undefined);
  }

  /** Carries out one plan; `oneByOne` after a conflict, so each refusal names its event. */
  async apply(plan: RegistrationPlan, oneByOne: boolean): Promise<{ conflicted: boolean }> {
    const adds: PlanStep[] = [];
    for (const step of plan.steps) {
      if (step.kind === "add") adds.push(step);
      else if (!(await this.applyStep(step, oneByOne))) return { conflicted: true };
    }
    const size = oneByOne ? 1 : WEBHOOKS_PER_CREATE;
    for (let i = 0; i < adds.length; i += size) {
      if (!(await this.create(adds.slice(i, i + size), oneByOne))) return { conflicted: true };
    }
    return { conflicted: false };
  }

  /** A step other than "add"; false when Shoptet's state moved under us (plan again). */
  private async applyStep(step: PlanStep, oneByOne: boolean): Promise<boolean> {
    switch (step.kind) {
      case "keep": {
        const before = this.results.get(step.event);
        // Created by us in the first pass and seen again in the second: still "added".
        if (before?.outcome === "added" || before?.outcome === "updated" || this.created.has(step.id)) return true;
        this.set(step, "kept", step.id, step.reason);
        return true;
      }
      case "skip-conflict":
      case "skip-taken":
        this.set(step, "skipped", "id" in step ? step.id : null, step.reason);
        return true;
      case "update-url":
        try {
          await this.api.updateWebhook(this.eshopId, step.id, { url: this.url });
          this.changed = true;
          this.set(step, "updated", step.id, `${step.reason}; was ${step.from}`);
          return true;
        } catch (error) {
          // Deleted meanwhile: then it is simply missing, and the second pass adds it.
          if (error instanceof ShoptetApiError && error.status === 404 && !oneByOne) return false;
          throw error;
        }
      case "add":
        return true;
    }
  }

  /** Creates one chunk of "add" steps; false when Shoptet's state moved under us (plan again). */
  private async create(chunk: readonly PlanStep[], oneByOne: boolean): Promise<boolean> {
    let made: Webhook[];
    try {
      made = await this.api.createWebhooks(
        this.eshopId,
        chunk.map((s) => ({ event: s.event, url: this.url })),
      );
    } catch (error) {
      if (!isConflict(error)) {
        if (oneByOne && error instanceof ShoptetApiError && error.status === 400) {
          this.set(chunk[0]!, "failed", null, shoptetSays(error));
          return true;
        }
        throw error;
      }
      if (!oneByOne) return false;
      const already = error.status === 422;
      this.set(chunk[0]!, already ? "kept" : "skipped", null, already ? `already registered (${shoptetSays(error)})` : `refused as a conflict (${shoptetSays(error)})`);
      return true;
    }
    this.changed ||= made.length > 0;
    for (const w of made) {
      this.created.add(w.id);
      const step = chunk.find((s) => s.event === w.event);
      if (step) this.set(step, "added", w.id, step.reason);
    }
    // A 201 that created only part of the list (Shoptet's `errors` name the rest): look again.
    return oneByOne || chunk.every((s) => made.some((w) => w.event === s.event));
  }

  /** After changes: a fresh listing must show every added, updated or kept event at our URL. */
  async verify(): Promise<boolean> {
    const now = await this.api.listWebhooks(this.eshopId);
    let verified = true;
    for (const r of this.results.values()) {
      if (r.outcome !== "added" && r.outcome !== "updated" && r.outcome !== "kept") continue;
      if (now.some((w) => w.event === r.event && sameUrl(w.url, this.url))) continue;
      verified = false;
      this.set(r.step, "failed", r.id, `not registered after all: Shoptet's list does not show ${r.event} for this URL; run register again`);
    }
    return verified;
  }
}
