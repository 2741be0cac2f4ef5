import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isValidSignature, signBody } from "../../src/receiver/verify-signature.js";
import { dedupeKeyOf, eshopIdOf, webhookEnvelope } from "../../src/receiver/webhook-envelope.js";
import { startTestApp } from "../helpers/test-app.js";

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

  it("envelope parsing on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = webhookEnvelope.safeParse(value);
        expect(typeof result.success).toBe("boolean");
        eshopIdOf(value);
        if (result.success) expect(dedupeKeyOf(result.data)).toHaveLength(32);
      }),
      { numRuns: 2000 },
    );
  });

  it("the endpoint answers arbitrary bytes with 400 or 401, never 5xx", async () => {
    const { url } = await startTestApp();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.boolean(), async (body, signed) => {
        const buf = Buffer.from(body);
        const headers: Record<string, string> = {};
        if (signed) headers["shoptet-webhook-signature"] = signBody("8a5e881b19ad6cc0bc986587b22e30be", buf);
        const res = await fetch(`${url}/webhooks/shoptet`, { method: "POST", body: buf, headers });
        await res.arrayBuffer();
        expect([200, 400, 401]).toContain(res.status);
        if (!signed) expect(res.status).toBe(401);
      }),
      { numRuns: 150 },
    );
  });
});
