import type { Outbox } from "./create-outbox.js";
import { DELIVERY_STATUSES, isDeliveryStatus, type DeliveryView } from "./outbox-types.js";

export type DeliveriesAnswer =
  | { status: 200; body: { deliveries: DeliveryView[] } }
  | { status: 400; body: { error: string } };

/**
 * The answer of `GET /api/deliveries?status=&limit=&before=`, independent of the HTTP framework:
 * newest first, `limit` up to 1000 (default 100), `before=<id>` pages back.
 */
export function answerDeliveries(
  outbox: Pick<Outbox, "list">,
  query: { status?: unknown; limit?: unknown; before?: unknown },
): DeliveriesAnswer {
  const status = typeof query.status === "string" && query.status !== "" ? query.status : undefined;
  if (status !== undefined && !isDeliveryStatus(status)) {
    return { status: 400, body: { error: `status must be one of ${DELIVERY_STATUSES.join(", ")}` } };
  }
  const limit = parsePositive(query.limit);
  const before = parsePositive(query.before);
  if (limit === null || (limit !== undefined && limit > 1000)) {
    return { status: 400, body: { error: "limit must be a whole number from 1 to 1000" } };
  }
  if (before === null) return { status: 400, body: { error: "before must be a delivery id" } };
  return { status: 200, body: { deliveries: outbox.list({ status, limit, before }) } };
}

/** undefined when absent, null when present but not a positive integer. */
function parsePositive(value: unknown): number | undefined | null {
  if (value === undefined || value === "") return undefined;
  if (typeof value !== "string" || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return n >= 1 ? n : null;
}
