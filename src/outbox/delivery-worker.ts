import type { DeliveryResult, OutgoingMessage, Transport } from "../notifiers/notifier.js";
import { UNCONFIGURED } from "../notifiers/notifier-registry.js";
import { DELIVERY_RETRY, type RetryPolicy } from "../retry/retry-policy.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import { createSqliteOutboxStore } from "../store/sqlite/outbox-store.js";
import { deliveryOutcome, deliveryRowAnswer } from "./delivery-outcome.js";
import { recordDelivery, type RecordDeps } from "./delivery-record.js";
import type { DeliveryEvent, DeliveryWorker, DeliveryWorkerDeps } from "./delivery-worker-types.js";
import type { Claim, OutboxStore } from "./outbox-store.js";

export type { DeliveryEvent, DeliveryWorker, DeliveryWorkerDeps };

export const DEFAULT_PACING_MS: Record<Transport, number> = { slack: 1000, email: 0 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LEASE_LOST = "the worker stopped while sending (its lease expired); sending again";

/**
 * The delivery worker claims due outbox rows under a lease, one send at a time per lane (per
 * Slack channel, paced), hands them to the transport's notifier, and alone decides what a
 * failure means (deliveryOutcome): retry at the policy's time (or Retry-After), dead, or pause
 * the transport.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const worker = new Worker(deps);
  return {
    start: () => worker.start(),
    stop: () => worker.stop(),
    wake: () => worker.wake(),
    runUntilIdle: () => worker.runUntilIdle(),
  };
}

interface PassResult {
  started: number;
  /** When the earliest paced lane frees up (runUntilIdle waits for it). */
  blockedUntil: number | null;
  /** When to look again at the latest. */
  wakeAt: number | null;
}

class Worker {
  private readonly log: Logger;
  private readonly policy: RetryPolicy;
  private readonly pacing: Record<Transport, number>;
  private readonly pollMs: number;
  private readonly random: () => number;
  private readonly repo: OutboxStore;
  private readonly record: RecordDeps;
  private readonly laneFreeAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly inFlightIds = new Set<number>();
  private readonly unconfiguredLogged = new Set<string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.log = deps.logger.child({ component: "delivery" });
    this.policy = deps.policy ?? DELIVERY_RETRY;
    this.pacing = { ...DEFAULT_PACING_MS, ...deps.pacingMs };
    this.pollMs = deps.pollMs ?? 5_000;
    this.random = deps.random ?? Math.random;
    this.repo = createSqliteOutboxStore(deps.db);
    const secrets = [...deps.secrets];
    this.record = {
      repo: this.repo,
      log: this.log,
      emit: (event) => this.emit(event),
      redact: (text) => redactSecrets(text, secrets),
      pausedUntil: new Map(),
      pauseMs: deps.pauseMs ?? 300_000,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // A send cut short by a crash of this process is not waited out for its lease: the daemon
    // is the only sender on its database, so every row still "sending" at start is abandoned.
    if (this.deps.recoverOnStart !== false) {
      try {
        this.recoverExpiredLeases(Number.MAX_SAFE_INTEGER, []);
      } catch (error) {
        this.deps.logger.error({ err: (error as Error).message }, "could not recover deliveries left sending");
      }
    }
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    this.loop = undefined;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async runUntilIdle(): Promise<void> {
    for (;;) {
      const { blockedUntil } = this.pump();
      if (this.inFlight.size) {
        await Promise.race(this.inFlight.values());
        continue;
      }
      if (blockedUntil === null) return;
      await (this.deps.sleep ?? realSleep)(Math.max(0, blockedUntil - this.deps.clock.now()));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const { wakeAt } = this.pump();
      const wait = wakeAt === null ? this.pollMs : Math.min(this.pollMs, wakeAt - this.deps.clock.now());
      await this.idle(wait);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakeUp = done;
    });
  }

  private emit(event: DeliveryEvent): void {
    try {
      this.deps.onEvent?.(event);
    } catch (error) {
      this.log.warn({ err: this.record.redact(coerceError(error).message) }, "delivery event listener failed");
    }
  }

  private storageFailed(error: unknown, what: string): void {
    const e = coerceError(error);
    this.log.error({ err: this.record.redact(e.message) }, `cannot write the outbox (${what}): check the disk and STOCKWATCH_DB`);
    this.deps.onStorageFailure?.(e);
  }

  /** Claims a send for every free lane and starts them; says when to look again. */
  private pump(): PassResult {
    const now = this.deps.clock.now();
    const pass: PassResult = { started: 0, blockedUntil: null, wakeAt: null };
    try {
      // One transaction (one fsync) for the whole pass instead of one per claim.
      const claims = this.repo.atomically(() => this.claimPass(now, pass));
      // Sends start after the claims are committed.
      for (const claim of claims) this.startSend(claim, pass);
      const next = this.repo.nextDueAfter(now, [...this.inFlightIds]);
      if (next !== null) later(pass, next);
    } catch (error) {
      this.storageFailed(error, "claiming deliveries");
      later(pass, now + this.pollMs);
    }
    return pass;
  }

  private claimPass(now: number, pass: PassResult): Claim[] {
    this.recoverExpiredLeases(now, [...this.inFlightIds]);
    this.markUnconfigured(now);
    const claims: Claim[] = [];
    const lanes = new Set(this.inFlight.keys());
    for (const due of this.repo.dueLanes(now)) {
      if (lanes.size >= (this.deps.maxInFlight ?? 16)) break;
      if (lanes.has(due.lane) || !this.deps.notifiers[due.transport]) continue;
      const paused = this.record.pausedUntil.get(due.transport) ?? 0;
      if (paused > now) {
        later(pass, paused);
        continue;
      }
      const free = this.laneFreeAt.get(due.lane) ?? 0;
      if (free > now) {
        pass.blockedUntil = pass.blockedUntil === null ? free : Math.min(pass.blockedUntil, free);
        later(pass, free);
        continue;
      }
      const claim = this.repo.claim(due.id, now, this.deps.leaseMs ?? 60_000);
      if (!claim) continue;
      claims.push(claim);
      lanes.add(due.lane);
    }
    return claims;
  }

  private startSend(claim: Claim, pass: PassResult): void {
    pass.started++;
    for (const r of claim.rows) this.inFlightIds.add(r.id);
    const run = this.deliver(claim).finally(() => {
      this.inFlight.delete(claim.leader.lane);
      for (const r of claim.rows) this.inFlightIds.delete(r.id);
      this.wake();
    });
    this.inFlight.set(claim.leader.lane, run);
  }

  /** Rows whose sender died mid-send are due again at once, or dead when out of attempts. */
  private recoverExpiredLeases(now: number, mine: readonly number[]): number {
    const handBack = { retryable: true, backoff: false };
    return this.repo.recoverExpiredLeases(now, mine, (row) => deliveryRowAnswer(this.policy, row, handBack, LEASE_LOST, now, this.random));
  }

  private markUnconfigured(now: number): void {
    for (const transport of ["slack", "email"] as const) {
      if (this.deps.notifiers[transport]) continue;
      const { count, channels } = this.repo.markUnconfigured(transport, now, UNCONFIGURED[transport]);
      if (!count) continue;
      this.emit({ type: "delivery:unconfigured", count, transport });
      for (const channel of channels) {
        const key = `${transport}:${channel}`;
        if (this.unconfiguredLogged.has(key)) continue;
        this.unconfiguredLogged.add(key);
        this.log.warn({ channel, transport }, `deliveries to channel "${channel}" are kept as unconfigured: ${UNCONFIGURED[transport]}`);
      }
    }
  }

  private async deliver(claim: Claim): Promise<void> {
    const { leader, rows } = claim;
    const transport = leader.transport;
    const message: OutgoingMessage = {
      id: leader.id,
      key: leader.dedupeKey,
      channel: leader.channel,
      destination: leader.destination,
      items: rows.map((r) => ({ outboxId: r.id, body: r.body, incidentKey: r.incidentKey })),
      attempt: leader.attempts,
    };
    let result: DeliveryResult;
    try {
      result = await this.deps.notifiers[transport]!.send(message);
    } catch (error) {
      result = { ok: false, retryable: true, reason: "notifier_error", error: coerceError(error).message };
    }
    const now = this.deps.clock.now();
    const error = result.ok ? "" : this.record.redact(result.error);
    const { policy, random } = this;
    const outcome = deliveryOutcome({ result, rows, policy, now, pacingMs: this.pacing[transport], pauseMs: this.record.pauseMs, error, random });
    // Paced from the end of a send, so the receiver never sees two within the gap.
    this.laneFreeAt.set(leader.lane, outcome.laneFreeAt);
    try {
      recordDelivery(this.record, claim, result, outcome, now);
    } catch (error) {
      // The send happened but is not recorded: the lease runs out and it is sent again (one duplicate).
      this.storageFailed(error, "recording a delivery");
    }
  }
}

function later(pass: PassResult, t: number): void {
  pass.wakeAt = pass.wakeAt === null ? t : Math.min(pass.wakeAt, t);
}
