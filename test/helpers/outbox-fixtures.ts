import { Writable } from "node:stream";
import type { AlertMessage, DigestMessage, NewOutboxMessage } from "../../src/outbox/outbox-types.js";
import { createLogger, type Logger } from "../../src/shared/logger.js";

/** Test data for outbox tests: alerts, digests and outbox messages with sensible defaults. */
export const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

export function alert(code: string, over: Partial<AlertMessage> & { quantity?: number; level?: AlertMessage["subject"]["level"] } = {}): AlertMessage {
  const level = over.level ?? "soldOut";
  const quantity = over.quantity ?? (level === "soldOut" ? 0 : 3);
  return {
    kind: "alert",
    rule: over.rule ?? "sold-out",
    severity: over.severity ?? "critical",
    transition: over.transition ?? "open",
    alertId: over.alertId ?? 1,
    subject: over.subject ?? {
      eshopId: 123,
      code,
      name: `Coffee ${code}`,
      quantity,
      minStockSupply: 5,
      level,
      perStock: { "1": quantity, "2": 0 },
    },
    summary:
      over.summary ??
      (over.transition === "resolve"
        ? `Back in stock: ${code} Coffee ${code} (${quantity} left)`
        : `Sold out: ${code} Coffee ${code} (${quantity} left, minimum 5)`),
  };
}

export function digest(name = "morning"): DigestMessage {
  return {
    kind: "digest",
    digest: name,
    subject: `Stock digest ${name}`,
    text: "Sold out: 2\nLow: 5\nBack in stock: 1",
    html: "<h1>Stock digest</h1><p>Sold out: 2</p>",
    periodFrom: T0 - 86_400_000,
    periodTo: T0,
  };
}

let seq = 0;

export function slackMsg(
  body: AlertMessage | DigestMessage,
  over: Partial<NewOutboxMessage> & { slackChannel?: string } = {},
): NewOutboxMessage {
  const { slackChannel, ...rest } = over;
  return {
    dedupeKey: `test:${++seq}:${body.kind === "alert" ? body.subject.code : body.digest}`,
    channel: "warehouse",
    destination: { type: "slack", channel: slackChannel ?? "#warehouse" },
    body,
    notBefore: T0,
    ...(body.kind === "alert" ? { incidentKey: `alert:${body.alertId}` } : {}),
    ...rest,
  };
}

export function emailMsg(body: AlertMessage | DigestMessage, over: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    dedupeKey: `test:${++seq}:mail`,
    channel: "managers",
    destination: { type: "email", to: ["manager@example.com"] },
    body,
    notBefore: T0,
    ...over,
  };
}

/** A pino logger at trace level whose lines land in `lines` (to check what reaches the log). */
export function captureLogger(): { logger: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("trace", sink), lines, text: () => lines.join("") };
}
