import { createHmac, timingSafeEqual } from "node:crypto";

const SIGNATURE = /^[0-9a-fA-F]{40}$/;

/** Shoptet's signature of a body: HMAC-SHA1 with the e-shop's key, lowercase hex, over the raw bytes. */
export function signBody(key: string, body: Buffer | string): string {
  return createHmac("sha1", key).update(body).digest("hex");
}

/**
 * Checks a `Shoptet-Webhook-Signature` header against the raw body in constant time. Never throws:
 * a missing, oddly sized or non-hex header is simply not valid.
 */
export function isValidSignature(key: string, body: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== "string" || !SIGNATURE.test(header)) return false;
  const expected = Buffer.from(signBody(key, body), "latin1");
  const given = Buffer.from(header.toLowerCase(), "latin1");
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Whether a header has the shape of a signature at all (for choosing the error message). */
export function looksLikeSignature(header: string | string[] | undefined): header is string {
  return typeof header === "string" && SIGNATURE.test(header);
}
