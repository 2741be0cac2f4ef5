import { signBody } from "../../src/receiver/verify-signature.js";

export const TEST_KEY = "8a5e881b19ad6cc0bc986587b22e30be";

export interface Envelope {
  eshopId: number;
  event: string;
  eventCreated: string;
  eventInstance: string;
  payload?: Record<string, unknown>;
}

let counter = 0;

/** A Shoptet-shaped envelope; each call gets a distinct eventCreated unless one is given. */
export function envelope(event: string, eventInstance: string, extra: Partial<Envelope> = {}): Envelope {
  counter++;
  const seconds = String(counter % 60).padStart(2, "0");
  const minutes = String(Math.floor(counter / 60) % 60).padStart(2, "0");
  const hours = String(Math.floor(counter / 3600) % 24).padStart(2, "0");
  return { eshopId: 222651, event, eventCreated: `2026-11-27T${hours}:${minutes}:${seconds}+0100`, eventInstance, ...extra };
}

/** Posts a body to the webhook route, signed with `key` unless a signature is given. */
export async function postWebhook(
  baseUrl: string,
  body: string | Buffer | Envelope,
  options: { key?: string; signature?: string | null; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: any; text: string }> {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json", ...options.headers };
  const signature = options.signature === undefined ? signBody(options.key ?? TEST_KEY, raw) : options.signature;
  if (signature !== null) headers["shoptet-webhook-signature"] = signature;
  const res = await fetch(`${baseUrl}/webhooks/shoptet`, { method: "POST", headers, body: raw });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
