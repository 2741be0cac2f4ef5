import type { Db } from "../db/open-database.js";
import type { DeliveryResult, Notifier, OutgoingMessage, Transport } from "../notifiers/notifier.js";
import { UNCONFIGURED } from "../notifiers/notifier-registry.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import { DELIVERY_RETRY, type RetryPolicy } from "../retry/retry-policy.js";
import { createSqliteOutboxStore } from "../store/sqlite/outbox-store.js";
import { deliveryOutcome, deliveryRowAnswer, type DeliveryOutcome } from "./delivery-outcome.js";
import type { Claim } from "./outbox-store.js";

/** What the worker reports after each send, for metrics and tests (`delivery:sent`, …). */
export type DeliveryEvent =
  | { type: "delivery:sent"; ids: number[]; channel: string; transport: Transport; ref: string | null }
  | { type: "delivery:failed"; ids: number[]; channel: string; transport: Transport; error: string; retryAt: number }
  | { type: "delivery:dead"; ids: number[]; channel: string; transport: Transport; error: string }
  | { type: "delivery:unconfigured"; count: number; transport: Transport };

export interface DeliveryWorkerDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  /** The configured transports; a missing one marks its deliveries unconfigured. */
  notifiers: Partial<Record<Transport, Notifier>>;
  /** Every secret in the settings: removed from errors before they are stored or logged. */
  secrets: readonly string[];
  policy?: RetryPolicy;
  /** Minimum gap between sends in one lane (Slack: 1 message per second per channel). */
  pacingMs?: Partial<Record<Transport, number>>;
  /** How long a claimed delivery stays claimed; a worker that dies mid-send loses it after this. */
  leaseMs?: number;
  /** How long a transport whose authentication failed is left alone. */
  pauseMs?: number;
  /** Sends in flight at once (each in its own lane). */
  maxInFlight?: number;
  /** Look for work at least this often (rows queued by another process, e.g. the CLI). */
  pollMs?: number;
  random?: () => number;
  /** Waits for pacing in runUntilIdle; tests pass one that moves a FixedClock. */
  sleep?: (ms: number) => Promise<void>;
  /** The database could not be written (the emergency path). */
  onStorageFailure?: (error: Error) => void;
  onEvent?: (event: DeliveryEvent) => void;
  /** At start, send again what a crashed run left "sending" (default true; false when several processes send). */
  recoverOnStart?: boolean;
}

export interface DeliveryWorker {
  start(): void;
  /** Stops claiming and waits for the sends in flight. */
  stop(): Promise<void>;
  /** Look for work now (after an enqueue). */
  wake(): void;
  /** Sends everything due now, waiting out pacing, and returns when nothing due is left. */
  runUntilIdle(): Promise<void>;
}

export const DEFAULT_PACING_MS: Record<Transport, number> = { slack: 1000, email: 0 };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const LEASE_LOST = "the worker stopped while sending (its lease expired); sending again";

/**
 * The delivery worker claims due outbox rows under a lease, one send at a time per lane (per
 * Slack channel, paced), hands them to the transport's notifier, and alone decides what a
 * failure means: retry at the policy's time (or Retry-After), dead, or pause the transport.
 */
export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const { clock, logger, notifiers } = deps;
  const log = logger.child({ component: "delivery" });
  const policy = deps.policy ?? DELIVERY_RETRY;
  const pacing = { ...DEFAULT_PACING_MS, ...deps.pacingMs };
  const leaseMs = deps.leaseMs ?? 60_000;
  const pauseMs = deps.pauseMs ?? 300_000;
  const maxInFlight = deps.maxInFlight ?? 16;
  const pollMs = deps.pollMs ?? 5_000;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? realSleep;
  const repo = createSqliteOutboxStore(deps.db);
  const secrets = [...deps.secrets];

  const laneFreeAt = new Map<string, number>();
  const inFlight = new Map<string, Promise<void>>();
  const inFlightIds = new Set<number>();
  const pausedUntil = new Map<Transport, number>();
  const unconfiguredLogged = new Set<string>();

  let running = false;
  let loop: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const redact = (text: string) => redactSecrets(text, secrets);
  const emit = (event: DeliveryEvent) => {
    try {
      deps.onEvent?.(event);
    } catch (error) {
      log.warn({ err: redact(coerceError(error).message) }, "delivery event listener failed");
    }
  };
  const storageFailed = (error: unknown, what: string) => {
    const e = coerceError(error);
    log.error({ err: redact(e.message) }, `cannot write the outbox (${what}): check the disk and STOCKWATCH_DB`);
    deps.onStorageFailure?.(e);
  };

  function markUnconfigured(now: number): void {
    for (const transport of ["slack", "email"] as const) {
      if (notifiers[transport]) continue;
      const { count, channels } = repo.markUnconfigured(transport, now, UNCONFIGURED[transport]);
      if (!count) continue;
      emit({ type: "delivery:unconfigured", count, transport });
      for (const channel of channels) {
        const key = `${transport}:${channel}`;
        if (unconfiguredLogged.has(key)) continue;
        unconfiguredLogged.add(key);
        log.warn({ channel, transport }, `deliveries to channel "${channel}" are kept as unconfigured: ${UNCONFIGURED[transport]}`);
      }
    }
  }

  /** Claims a send for every free lane; returns when the earliest paced lane frees up. */
  function pump(): { started: number; blockedUntil: number | null; wakeAt: number | null } {
    const now = clock.now();
    let started = 0;
    let blockedUntil: number | null = null;
    let wakeAt: number | null = null;
    const later = (t: number) => {
      wakeAt = wakeAt === null ? t : Math.min(wakeAt, t);
    };
    try {
      // One transaction (one fsync) for the whole pass instead of one per claim.
      const claims = repo.atomically(() => claimPass(now));
      // Sends start after the claims are committed.
      for (const claim of claims) {
        started++;
        for (const r of claim.rows) inFlightIds.add(r.id);
        const run = deliver(claim).finally(() => {
          inFlight.delete(claim.leader.lane);
          for (const r of claim.rows) inFlightIds.delete(r.id);
          wake();
        });
        inFlight.set(claim.leader.lane, run);
      }
      const next = repo.nextDueAfter(now, [...inFlightIds]);
      if (next !== null) later(next);
    } catch (error) {
      storageFailed(error, "claiming deliveries");
      later(now + pollMs);
    }
    return { started, blockedUntil, wakeAt };

    function claimPass(now: number): Claim[] {
      recoverExpiredLeases(now, [...inFlightIds]);
      markUnconfigured(now);
      const claims: Claim[] = [];
      const lanes = new Set(inFlight.keys());
      for (const due of repo.dueLanes(now)) {
        if (lanes.size >= maxInFlight) break;
        if (lanes.has(due.lane) || !notifiers[due.transport]) continue;
        const paused = pausedUntil.get(due.transport) ?? 0;
        if (paused > now) {
          later(paused);
          continue;
        }
        const free = laneFreeAt.get(due.lane) ?? 0;
        if (free > now) {
          blockedUntil = blockedUntil === null ? free : Math.min(blockedUntil, free);
          later(free);
          continue;
        }
        const claim = repo.claim(due.id, now, leaseMs);
        if (!claim) continue;
        claims.push(claim);
        lanes.add(due.lane);
      }
      return claims;
    }
  }

  /** Rows whose sender died mid-send are due again at once, or dead when out of attempts. */
  function recoverExpiredLeases(now: number, mine: readonly number[]): number {
    const handBack = { retryable: true, backoff: false };
    return repo.recoverExpiredLeases(now, mine, (row) => deliveryRowAnswer(policy, row, handBack, LEASE_LOST, now, random));
  }

  async function deliver(claim: Claim): Promise<void> {
    const { leader, rows } = claim;
    const transport = leader.transport;
    const notifier = notifiers[transport]!;
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
      result = await notifier.send(message);
    } catch (error) {
      result = { ok: false, retryable: true, reason: "notifier_error", error: coerceError(error).message };
    }
    const finished = clock.now();
    const error = result.ok ? "" : redact(result.error);
    const outcome = deliveryOutcome({ result, rows, policy, now: finished, pacingMs: pacing[transport], pauseMs, error, random });
    // Paced from the end of a send, so the receiver never sees two within the gap.
    laneFreeAt.set(leader.lane, outcome.laneFreeAt);
    try {
      record(claim, result, outcome, finished);
    } catch (error) {
      // The send happened but is not recorded: the lease runs out and it is sent again (one duplicate).
      storageFailed(error, "recording a delivery");
    }
  }

  function record(claim: Claim, result: DeliveryResult, outcome: DeliveryOutcome, now: number): void {
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
    const error = redact(result.error);
    const reason = redact(result.reason);
    if (outcome.kind === "paused") {
      const wasPaused = pausedUntil.has(leader.transport);
      pausedUntil.set(leader.transport, outcome.until);
      repo.markFailed(outcome.answers, now, false);
      if (!wasPaused) {
        log.error(
          { ...ctx, pausedForMs: pauseMs, reason },
          `${error}; ${leader.transport} deliveries are paused and tried again every ${Math.round(pauseMs / 1000)} s`,
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

  function wake(): void {
    woken = true;
    wakeUp?.();
  }

  function idle(ms: number): Promise<void> {
    if (woken) {
      woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        woken = false;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function run(): Promise<void> {
    while (running) {
      const { wakeAt } = pump();
      const wait = wakeAt === null ? pollMs : Math.min(pollMs, wakeAt - clock.now());
      await idle(wait);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      // A send cut short by a crash of this process is not waited out for its lease: the daemon
      // is the only sender on its database, so every row still "sending" at start is abandoned.
      if (deps.recoverOnStart !== false) {
        try {
          recoverExpiredLeases(Number.MAX_SAFE_INTEGER, []);
        } catch (error) {
          deps.logger.error({ err: (error as Error).message }, "could not recover deliveries left sending");
        }
      }
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      await loop;
      loop = undefined;
      await Promise.allSettled([...inFlight.values()]);
    },
    wake,
    async runUntilIdle() {
      for (;;) {
        const { blockedUntil } = pump();
        if (inFlight.size) {
          await Promise.race(inFlight.values());
          continue;
        }
        if (blockedUntil === null) return;
        await sleep(Math.max(0, blockedUntil - clock.now()));
      }
    },
  };
}
