import { describeForecast } from "../../../src/forecast/forecast-text.js";
import type { AlertMessage } from "../../../src/outbox/outbox-types.js";
import { T0 } from "../../helpers/outbox-fixtures.js";

/** Alerts of every rule kind for the Slack renderer's table tests. */
export type Kind = "soldOut" | "low" | "backInStock" | "daysOfCover" | "event";
export type Transition = AlertMessage["transition"];

export const TRANSITIONS: Record<Kind, Transition[]> = {
  soldOut: ["open", "remind", "resolve", "update"],
  low: ["open", "remind", "resolve", "update"],
  backInStock: ["open", "remind", "resolve", "update"],
  daysOfCover: ["open", "remind", "resolve"],
  // Event rules send one message per event: they neither remind nor resolve.
  event: ["open"],
};
export const SIZES = [1, 2, 15, 60, 500];
const DAY = 86_400_000;

/** Every 7th product has a long name full of characters Slack escapes, to push the limits. */
function nameOf(code: string, i: number): string {
  return i % 7 === 3 ? `Coffee ${code} ${"Très long & <special> ".repeat(12)}` : `Coffee ${code}`;
}

export function makeAlert(kind: Kind, transition: Transition, i: number, over: Partial<AlertMessage> = {}): AlertMessage {
  const base = { kind: "alert" as const, transition, alertId: i + 1, severity: "critical" as const };
  if (kind === "event") {
    const code = `ORD-${i}`;
    return {
      ...base,
      rule: "cancelled-orders",
      severity: "warning",
      subject: { eshopId: 1, code, name: null, quantity: null, minStockSupply: null, level: null },
      event: { type: "order:cancelled", instance: code, eventId: i },
      summary: `Cancelled order: order:cancelled ${code}`,
      ...over,
    };
  }
  if (kind === "daysOfCover") {
    const code = `KAV-${i}`;
    const quantity = 6 + (i % 24);
    const days = quantity / 6;
    const details = [
      describeForecast({ quantity, velocityPerDay: 6, daysOfCover: days, runOutAt: T0 + days * DAY, sold: 180, windowDays: 30 }, "Europe/Prague", T0),
      "a reorder takes 5 days",
    ];
    return {
      ...base,
      rule: "reorder-coffee",
      severity: "warning",
      subject: { eshopId: 1, code, name: nameOf(code, i), quantity, minStockSupply: 5, level: "ok", details },
      summary: `reorder-coffee: ${code} (≈ ${Math.round(days)} days left, ${quantity} in stock)`,
      ...over,
    };
  }
  const level = kind === "soldOut" ? "soldOut" : kind === "low" ? "low" : "ok";
  const quantity = level === "soldOut" ? 0 : level === "low" ? 3 : 40;
  const code = `P-${i}`;
  return {
    ...base,
    rule: kind,
    subject: { eshopId: 1, code, name: nameOf(code, i), quantity, minStockSupply: 5, level, perStock: { "1": quantity } },
    summary: `${kind}: ${code} (${quantity} left)`,
    ...over,
  };
}
