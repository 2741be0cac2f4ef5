/**
 * ShoptetApiError is every failure of a Shoptet API call, classified so callers decide without
 * parsing text: `retryable` says whether the same call may succeed later, `retryAfterMs` how long
 * Shoptet asked us to wait (429), `status` 0 for network errors and timeouts.
 * The message says what to fix and never contains the API token.
 */
export class ShoptetApiError extends Error {
  override readonly name = "ShoptetApiError";
  readonly status: number;
  /** Shoptet's `errorCode` (`stock-not-found`, `expired-token`…), or ours: network, timeout, no-token, invalid-response. */
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  readonly requestId: string | null;

  constructor(init: {
    message: string;
    status: number;
    code: string;
    retryable: boolean;
    retryAfterMs?: number | null;
    requestId?: string | null;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.requestId = init.requestId ?? null;
  }
}

/**
 * Which statuses a repeat may fix: 423 (the same write is locked for ≤5 s), 429 (rate limit),
 * 500 (may work later), 502/503/504 (maintenance, proxies). 400, 404 and 422 describe the request
 * itself and never change on retry; 401/403 need the operator.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 423 || status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

export interface ShoptetErrorItem {
  errorCode: string;
  message: string;
  instance?: string;
}

/** Builds the error for an HTTP answer that was not a success, with advice for the operator. */
export function errorForResponse(args: {
  status: number;
  method: string;
  path: string;
  eshopId: number;
  errors: readonly ShoptetErrorItem[];
  requestId: string | null;
  retryAfterMs: number | null;
}): ShoptetApiError {
  const first = args.errors[0];
  const code = first?.errorCode ?? `http-${args.status}`;
  const detail = first ? `${first.errorCode}: ${first.message}` : `HTTP ${args.status}`;
  const where = `${args.method} ${args.path} for e-shop ${args.eshopId}`;
  const req = args.requestId ? ` (request ${args.requestId})` : "";
  let message: string;
  switch (args.status) {
    case 401:
      message =
        `Shoptet rejected the API token on ${where} (${detail})${req}: ` +
        `set a valid private API token in SHOPTET_API_TOKEN_${args.eshopId} or SHOPTET_API_TOKEN`;
      break;
    case 403:
      message =
        `Shoptet refused ${where} (${detail})${req}: give the token this endpoint group ` +
        `(e-shop admin, "Access to API") or activate the module it names`;
      break;
    case 429:
      message = `Shoptet rate limit hit on ${where} (${detail})${req}; retrying after the requested wait`;
      break;
    default:
      message = `Shoptet API answered ${args.status} on ${where} (${detail})${req}`;
  }
  return new ShoptetApiError({
    message,
    status: args.status,
    code,
    retryable: isRetryableStatus(args.status),
    retryAfterMs: args.retryAfterMs,
    requestId: args.requestId,
  });
}
