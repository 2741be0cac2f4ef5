import type { DeliveryResult, Transport } from "../notifiers/notifier.js";
import type { Logger } from "../shared/logger.js";
import type { DeliveryOutcome } from "./delivery-outcome.js";
import type { DeliveryEvent } from "./delivery-worker-types.js";
import type { Claim, OutboxStore } from "./outbox-store.js";

export interface RecordDeps {
  repo: OutboxStore;
  log: Logger;
  emit: (event: DeliveryEvent) => void;
  redact: (text: string) => string;
  /** Transports paused after an authentication failure, until when (changed here). */
  pausedUntil: Map<Transport, number>;
  pauseMs: number;
}

/** Stores a send's outcome, logs it and reports it as a DeliveryEvent. */
export function recordDelivery(deps: RecordDeps, claim: Claim, result: DeliveryResult, outcome: DeliveryOutcome, now: number): void {
  const { repo, log, emit, pausedUntil } = deps;
  const { leader, rows } = claim;
  const ids = rows.map((r) => r.id);
  const base = { ids, channel: leader.channel, transport: leader.transport };
  const ctx = { outboxId: leader.id, merged: ids.length, channel: leader.channel, transport: leader.transport };
  if (result.ok || outcome.kind === "sent") {
    const ref = result.ok ? (result.ref ?? null) : null;
    repo.markSent(ids, now, ref);
    if (pausedUntil.delete(leader.transport)) log.info({ transport: leader.transport }, "sending works again; channel resumed");
    log.info({ ...ctx, attempt: leader.attempts }, "delivered");
    emit({ type: "delivery:sent", ...base, ref });
    return;
  }
  const error = deps.redact(result.error);
  const reason = deps.redact(result.reason);
  if (outcome.kind === "paused") {
    const wasPaused = pausedUntil.has(leader.transport);
    pausedUntil.set(leader.transport, outcome.until);
    repo.markFailed(outcome.answers, now, false);
    if (!wasPaused) {
      log.error(
        { ...ctx, pausedForMs: deps.pauseMs, reason },
        `${error}; ${leader.transport} deliveries are paused and tried again every ${Math.round(deps.pauseMs / 1000)} s`,
      );
    }
    emit({ type: "delivery:failed", ...base, error, retryAt: outcome.until });
    return;
  }
  const { retryAt, answers } = outcome;
  repo.markFailed(answers, now, true);
  const dead = answers.filter((a) => "dead" in a).map((a) => a.id);
  const retrying = answers.filter((a) => !("dead" in a)).map((a) => a.id);
  if (dead.length) {
    log.error({ ...ctx, dead, attempt: leader.attempts, reason, err: error }, "delivery is dead: see `stockwatch deliveries list --status dead`");
    emit({ type: "delivery:dead", ...base, ids: dead, error });
  }
  if (retrying.length) {
    // Only a changed error is worth a warning; the same one again is noise.
    const level = leader.lastError === error ? "debug" : "warn";
    log[level]({ ...ctx, attempt: leader.attempts, reason, err: error, retryAt: new Date(retryAt).toISOString() }, "delivery failed; will retry");
    emit({ type: "delivery:failed", ...base, ids: retrying, error, retryAt });
  }
}
