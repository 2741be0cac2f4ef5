import { decide, isDead } from "../retry/decide.js";
import type { RetryPolicy } from "../retry/retry-policy.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import { bucketPauseMs, parseBucketFilling, parseRetryAfter } from "./rate-limit-headers.js";
import { ShoptetApiError, errorForResponse } from "./shoptet-error.js";
import { envelope, errorItems, type Envelope } from "./shoptet-parse.js";
import { TokenGate, type Sleep } from "./token-gate.js";

/** Counters for metrics and benchmarks. */
export interface ShoptetClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
  failures: number;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

/** One API call: how to send it and how to read its `data`. */
export interface CallSpec<T> {
  method: Method;
  path: string;
  query?: Record<string, string | number | undefined>;
  /** JSON request body (writes). */
  body?: unknown;
  parse: (data: unknown) => T;
  /** The call may answer `data: null` (PATCH, DELETE). */
  nullData?: boolean;
  /**
   * Which retryable failures are repeated inside the call. "all" for reads and idempotent writes;
   * "unapplied" for POSTs, whose repeat after a timeout or 500 might apply them twice: only the
   * answers that say the request was not processed (423 locked, 429, 503 maintenance).
   */
  retry?: "all" | "unapplied";
}

/** How the requester sends: everything resolved from ShoptetClientOptions. */
export interface RequesterConfig {
  baseUrl: string;
  tokenFor: (eshopId: number) => string | undefined;
  clock: Clock;
  fetch: typeof globalThis.fetch;
  sleep: Sleep;
  random: () => number;
  logger: Logger;
  timeoutMs: number;
  /** Repeats inside one call (SHOPTET_CALL_RETRY with the client's options). */
  policy: RetryPolicy;
  maxInFlightPerToken: number;
  maxRetryAfterWaitMs: number;
  bucketSlowdownAt: number;
}

const UNAPPLIED = new Set([423, 429, 503]);

/** What came back from one HTTP exchange, before reading the envelope. */
interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * ShoptetRequester sends one API call: the token's gate (concurrency, pauses), a timeout per
 * attempt, the `{data, errors, metadata}` envelope, and repeats of retryable failures as the
 * retry policy decides (`decide()`); a 429's Retry-After pauses the token instead.
 */
export class ShoptetRequester {
  readonly stats: ShoptetClientStats = { requests: 0, retries: 0, rateLimited: 0, failures: 0 };
  private readonly gates = new Map<string, TokenGate>();
  private readonly warnedDeprecated = new Set<string>();

  constructor(private readonly config: RequesterConfig) {}

  hasToken(eshopId: number): boolean {
    return Boolean(this.config.tokenFor(eshopId));
  }

  /** One call with retries (see CallSpec.retry). */
  async call<T>(eshopId: number, spec: CallSpec<T>): Promise<T> {
    const { clock, policy } = this.config;
    const token = this.tokenOf(eshopId);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    const url = `${this.config.baseUrl}${spec.path}${qs ? `?${qs}` : ""}`;
    const gate = this.gateFor(token);
    let lastError: ShoptetApiError;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.stats.retries++;
      const outcome = await this.attempt(eshopId, spec, url, token, gate);
      if (!(outcome instanceof ShoptetApiError)) return outcome.value;
      lastError = outcome;
      const retryable = outcome.retryable && (spec.retry !== "unapplied" || UNAPPLIED.has(outcome.status));
      const now = clock.now();
      const decision = decide(policy, attempt, { retryable }, now, this.config.random);
      if (isDead(decision)) break;
      let wait = decision.retryAt - now;
      if (outcome.status === 429) {
        this.stats.rateLimited++;
        const asked = outcome.retryAfterMs;
        if (asked !== null) {
          gate.pauseUntil(clock.now() + asked);
          if (asked > this.config.maxRetryAfterWaitMs) break; // the job queue waits instead of this call
          wait = 0; // the gate holds us until the requested time
        }
      }
      const { method, path } = spec;
      this.config.logger.debug({ eshopId, method, path, status: outcome.status, code: outcome.code, attempt, waitMs: wait }, "retrying Shoptet call");
      if (wait > 0) await this.config.sleep(wait);
    }
    this.stats.failures++;
    throw lastError;
  }

  private tokenOf(eshopId: number): string {
    const token = this.config.tokenFor(eshopId);
    if (token) return token;
    throw new ShoptetApiError({
      message: `no Shoptet API token for e-shop ${eshopId}: set SHOPTET_API_TOKEN_${eshopId} or SHOPTET_API_TOKEN`,
      status: 0,
      code: "no-token",
      retryable: false,
    });
  }

  private gateFor(token: string): TokenGate {
    let gate = this.gates.get(token);
    if (!gate) {
      gate = new TokenGate(this.config.maxInFlightPerToken, this.config.clock, this.config.sleep);
      this.gates.set(token, gate);
    }
    return gate;
  }

  /** One HTTP exchange: the parsed value, or the classified error (never throws). */
  private async attempt<T>(eshopId: number, spec: CallSpec<T>, url: string, token: string, gate: TokenGate): Promise<{ value: T } | ShoptetApiError> {
    const answer = await this.exchange(eshopId, spec, url, token, gate);
    if (answer instanceof ShoptetApiError) return answer;
    this.observeHeaders(spec.path, answer.headers, gate);
    return this.read(eshopId, spec, answer);
  }

  /** Sends the request through the token's gate; a timeout or network failure is a retryable error. */
  private async exchange(eshopId: number, spec: CallSpec<unknown>, url: string, token: string, gate: TokenGate): Promise<Answer | ShoptetApiError> {
    const { method, path } = spec;
    await gate.acquire();
    try {
      this.stats.requests++;
      const res = await this.config.fetch(url, {
        method,
        headers: { "Shoptet-Private-API-Token": token, "Content-Type": "application/json", Accept: "application/json" },
        ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }),
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      return { status: res.status, headers: res.headers, text: await res.text() };
    } catch (cause) {
      const timedOut = (cause as Error)?.name === "TimeoutError" || (cause as Error)?.name === "AbortError";
      const reason = redactSecrets(String((cause as Error)?.message ?? cause), [token]);
      return new ShoptetApiError({
        message: timedOut
          ? `Shoptet API did not answer ${method} ${path} for e-shop ${eshopId} within ${this.config.timeoutMs} ms`
          : `cannot reach the Shoptet API at ${this.config.baseUrl} (${method} ${path}: ${reason}): check SHOPTET_API_URL and the network`,
        status: 0,
        code: timedOut ? "timeout" : "network",
        retryable: true,
      });
    } finally {
      gate.release();
    }
  }

  /** Reads the envelope of an answer: the parsed `data`, or the error it means. */
  private read<T>(eshopId: number, spec: CallSpec<T>, answer: Answer): { value: T } | ShoptetApiError {
    const { method, path } = spec;
    const { status, headers } = answer;
    let env: Envelope | null = null;
    try {
      env = envelope.parse(JSON.parse(answer.text));
    } catch {
      env = null;
    }
    const requestId = env?.metadata?.requestId ?? headers.get("x-request-id");
    if (status < 200 || status >= 300) {
      const retryAfterMs = parseRetryAfter(headers.get("retry-after"), this.config.clock.now());
      return errorForResponse({ status, method, path, eshopId, errors: errorItems(env), requestId, retryAfterMs });
    }
    if (env === null || env.data === undefined || (env.data === null && !spec.nullData)) {
      const items = errorItems(env);
      return new ShoptetApiError({
        message: `Shoptet API answered ${status} on ${method} ${path} for e-shop ${eshopId} without data${
          items[0] ? ` (${items[0].errorCode}: ${items[0].message})` : " (not a Shoptet JSON envelope)"
        }`,
        status,
        code: items[0]?.errorCode ?? "invalid-response",
        retryable: env === null,
        requestId,
      });
    }
    try {
      return { value: spec.parse(env.data) };
    } catch (cause) {
      return new ShoptetApiError({
        message: `Shoptet API answered ${method} ${path} for e-shop ${eshopId} with an unexpected shape: ${(cause as Error).message.slice(0, 300)}`,
        status,
        code: "invalid-response",
        retryable: false,
        requestId,
        cause,
      });
    }
  }

  private observeHeaders(path: string, headers: Headers, gate: TokenGate): void {
    const filling = parseBucketFilling(headers.get("x-ratelimit-bucket-filling"));
    if (filling) {
      const pause = bucketPauseMs(filling, this.config.bucketSlowdownAt);
      if (pause > 0) gate.pauseUntil(this.config.clock.now() + pause);
    }
    const deprecated = headers.get("x-shoptet-deprecated") ?? headers.get("sunset");
    const template = path.replace(/\/\d+(?=\/|$)/g, "/{id}");
    if (deprecated && !this.warnedDeprecated.has(template)) {
      this.warnedDeprecated.add(template);
      this.config.logger.warn({ path: template, deprecated }, "Shoptet marks this endpoint as deprecated; stockwatch needs an update");
    }
  }
}
