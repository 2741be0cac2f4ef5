import { isUtf8 } from "node:buffer";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signBody } from "../../src/receiver/verify-signature.js";
import { eventTimeMs, webhookEnvelope } from "../../src/receiver/webhook-envelope.js";
import { webhookBody } from "../helpers/envelope-arbitrary.js";
import { startTestApp } from "../helpers/test-app.js";
import { TEST_KEY } from "../helpers/webhooks.js";

/** Whether a body is UTF-8 JSON that passes the envelope schema with a date that exists. */
function isAcceptable(raw: Buffer): boolean {
  if (!isUtf8(raw)) return false;
  try {
    const result = webhookEnvelope.safeParse(JSON.parse(raw.toString("utf8")));
    return result.success && eventTimeMs(result.data.eventCreated) !== null;
  } catch {
    return false;
  }
}

// The pure checks' property tests are in test/unit/receiver/never-throws.test.ts; this one posts to a running app.
describe("the webhook endpoint never throws", () => {
  it("answers arbitrary bytes and envelopes with 200, 400 or 401, never 5xx; signed envelopes are stored", async () => {
    const { url } = await startTestApp();
    let stored = 0;
    const runs = 150;
    await fc.assert(
      fc.asyncProperty(webhookBody, fc.boolean(), async (buf, signed) => {
        const headers: Record<string, string> = {};
        if (signed) headers["shoptet-webhook-signature"] = signBody(TEST_KEY, buf);
        const res = await fetch(`${url}/webhooks/shoptet`, { method: "POST", body: buf, headers });
        const body = (await res.json()) as { ok?: boolean; id?: number };
        expect([200, 400, 401]).toContain(res.status);
        if (!signed) expect(res.status).toBe(401);
        else if (isAcceptable(buf)) {
          expect(res.status).toBe(200);
          expect(body).toMatchObject({ ok: true, id: expect.any(Number) });
          stored++;
        } else expect(res.status).toBe(400);
      }),
      { numRuns: runs },
    );
    expect(stored).toBeGreaterThan(runs / 8);
  });
});
