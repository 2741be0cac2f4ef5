import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkWebhook } from "../../../src/receiver/check-webhook.js";
import { isValidSignature, signBody } from "../../../src/receiver/verify-signature.js";
import { DEDUPE_KEY_BYTES, dedupeKeyOf, eshopIdOf, eventTimeMs, webhookEnvelope } from "../../../src/receiver/webhook-envelope.js";
import { validEnvelope, webhookBody } from "../../helpers/envelope-arbitrary.js";
import { TEST_KEY } from "../../helpers/webhooks.js";

/** The key as documented on dedupeKeyOf: eventCreated (ms, 0 when before 1970) as 8 big-endian bytes, then SHA-256 of the four fields. */
function expectedKey(e: { eshopId: number; event: string; eventInstance: string; eventCreated: string }, createdMs: number): Buffer {
  const time = Buffer.alloc(8);
  time.writeBigInt64BE(BigInt(Math.max(0, createdMs)));
  const digest = createHash("sha256").update(`${e.eshopId}\u0000${e.event}\u0000${e.eventInstance}\u0000${e.eventCreated}`).digest();
  return Buffer.concat([time, digest]);
}

/** The envelope a body holds when it is UTF-8 JSON that passes the schema (the oracle for checkWebhook). */
function envelopeIn(raw: Buffer) {
  if (!isUtf8(raw)) return null;
  try {
    const result = webhookEnvelope.safeParse(JSON.parse(raw.toString("utf8")));
    return result.success ? result : null;
  } catch {
    return null;
  }
}

describe("verification and parsing never throw", () => {
  it("isValidSignature on arbitrary bytes and headers", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), fc.string({ maxLength: 80 }), fc.string({ maxLength: 40 }), (body, header, key) => {
        expect(typeof isValidSignature(key || "k", Buffer.from(body), header)).toBe("boolean");
      }),
      { numRuns: 2000 },
    );
  });

  it("only the right signature verifies", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.string({ minLength: 1, maxLength: 40 }), (body, key) => {
        const buf = Buffer.from(body);
        expect(isValidSignature(key, buf, signBody(key, buf))).toBe(true);
        expect(isValidSignature(key + "x", buf, signBody(key, buf))).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("envelope parsing on arbitrary JSON values and on envelopes: the dedupe key is 40 bytes, time then SHA-256", () => {
    let envelopes = 0;
    const runs = 2000;
    fc.assert(
      fc.property(fc.oneof(validEnvelope, fc.jsonValue()), (value) => {
        const result = webhookEnvelope.safeParse(value);
        expect(typeof result.success).toBe("boolean");
        eshopIdOf(value);
        if (!result.success) return;
        envelopes++;
        const createdMs = eventTimeMs(result.data.eventCreated) ?? Date.parse(result.data.eventCreated);
        const key = dedupeKeyOf(result.data);
        expect(key).toHaveLength(DEDUPE_KEY_BYTES);
        expect(DEDUPE_KEY_BYTES).toBe(40);
        expect(key.equals(expectedKey(result.data, createdMs))).toBe(true);
      }),
      { numRuns: runs },
    );
    // The generator must reach the envelope branch, or the assertions above never run.
    expect(envelopes).toBeGreaterThan(runs / 4);
  });

  it("checkWebhook answers any bytes, signed or not, without throwing; signed envelopes of real dates are accepted", () => {
    const config = { keyFor: () => TEST_KEY, bodyLimit: 64 * 1024, receivedAt: Date.parse("2026-11-27T12:00:00Z") };
    let accepted = 0;
    const runs = 2000;
    fc.assert(
      fc.property(webhookBody, fc.boolean(), (raw, signed) => {
        const headers = signed ? { "shoptet-webhook-signature": signBody(TEST_KEY, raw) } : {};
        const result = checkWebhook(headers, raw, config);
        if (!signed) {
          expect(result).toMatchObject({ ok: false, status: 401 });
          return;
        }
        const envelope = envelopeIn(raw);
        if (envelope && eventTimeMs(envelope.data.eventCreated) !== null) {
          expect(result).toMatchObject({ ok: true, envelope: envelope.data, createdMs: Date.parse(envelope.data.eventCreated) });
          accepted++;
        } else {
          expect(result).toMatchObject({ ok: false, status: 400 });
        }
      }),
      { numRuns: runs },
    );
    expect(accepted).toBeGreaterThan(runs / 8);
  });
});
