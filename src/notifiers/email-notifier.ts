import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { Transporter } from "nodemailer";
import type { DeliveryResult, Notifier, OutgoingMessage } from "./notifier.js";
import { renderEmail } from "./render-email.js";
import { classifySmtpError } from "./smtp-errors.js";

/** SMTP timeouts in ms. Short: a hung server must fail the attempt, and the outbox retries. */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = Object.freeze({ connectionMs: 10_000, greetingMs: 10_000, socketMs: 20_000 });

export interface EmailNotifierOptions {
  /** SMTP_URL, e.g. smtp://user:pass@mail.example.com:587 */
  smtpUrl: string;
  /** MAIL_FROM */
  from: string;
  timeouts?: Partial<SmtpTimeouts>;
  /** Keep up to this many SMTP connections open (default 2). */
  maxConnections?: number;
}

/** The domain of the sender address, for Message-IDs ("Shop <a@shop.cz>" → shop.cz). */
export function senderDomain(from: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(from.trim());
  return match?.[1]?.toLowerCase() ?? "stockwatch.localhost";
}

/**
 * The Message-ID of an outbox delivery: derived from the row, so every retry sends the same id
 * and a mail server or client that already has the message can drop the duplicate.
 */
export function stableMessageId(message: Pick<OutgoingMessage, "id" | "key">, domain: string): string {
  const digest = createHash("sha256").update(message.key).digest("hex").slice(0, 16);
  return `<stockwatch.${message.id}.${digest}@${domain}>`;
}

/**
 * EmailNotifier sends HTML mail with a plain-text part through nodemailer (SMTP_URL), with short
 * timeouts and a stable Message-ID per outbox row.
 */
export class EmailNotifier implements Notifier {
  readonly transport = "email" as const;
  private readonly transporter: Transporter;
  private readonly domain: string;

  constructor(private readonly options: EmailNotifierOptions) {
    const t = { ...DEFAULT_SMTP_TIMEOUTS, ...options.timeouts };
    this.transporter = nodemailer.createTransport({
      url: options.smtpUrl,
      pool: true,
      maxConnections: options.maxConnections ?? 2,
      connectionTimeout: t.connectionMs,
      greetingTimeout: t.greetingMs,
      socketTimeout: t.socketMs,
      logger: false,
      debug: false,
    });
    this.domain = senderDomain(options.from);
  }

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    if (message.destination.type !== "email") {
      return { ok: false, retryable: false, reason: "wrong_transport", error: "not an email destination" };
    }
    const rendering = renderEmail(message.items.map((i) => i.body));
    const messageId = stableMessageId(message, this.domain);
    try {
      await this.transporter.sendMail({
        from: this.options.from,
        to: message.destination.to,
        subject: rendering.subject,
        text: rendering.text,
        html: rendering.html,
        messageId,
        headers: { "X-Stockwatch-Delivery": String(message.id) },
      });
      return { ok: true, ref: messageId };
    } catch (error) {
      return classifySmtpError(error);
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
