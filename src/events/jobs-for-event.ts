/**
 * Which worker job, if any, a stored event asks for. Jobs are coalesced per (kind, e-shop, subject)
 * while pending, so a burst of webhooks for one warehouse becomes one read.
 */
export type JobKind = "movement-read" | "product-level" | "product-refresh" | "variant-refresh";

export interface JobSpec {
  kind: JobKind;
  /** Warehouse id, product code, product GUID or variant code. */
  subject: string;
}

export function jobForEvent(event: string, eventInstance: string): JobSpec | null {
  switch (event) {
    case "stock:movement":
      return { kind: "movement-read", subject: eventInstance };
    case "stock:inStock":
    case "stock:soldOut":
    case "stock:minStockSupplyReached":
      return { kind: "product-level", subject: eventInstance };
    case "product:update":
      return { kind: "product-refresh", subject: eventInstance };
    case "productVariant:update":
      return { kind: "variant-refresh", subject: eventInstance };
    default:
      return null;
  }
}
