import { describe, expect, it } from "vitest";
import { startTestApp } from "../helpers/test-app.js";
import { captureLogger } from "../helpers/outbox-fixtures.js";

/** Settings that start, but leave the admin side open, are named in the start-up log. */

const proxyWarnings = (lines: string[]) => lines.filter((l) => /"level":40/.test(l) && /TRUST_PROXY/.test(l));

describe("TRUST_PROXY without ADMIN_TOKEN", () => {
  it("logs one warning at start saying what to set and why", async () => {
    const logs = captureLogger();
    await startTestApp({ TRUST_PROXY: "true" }, { startServices: false, logger: logs.logger });
    const warnings = proxyWarnings(logs.lines);
    expect(warnings).toHaveLength(1);
    const msg = JSON.parse(warnings[0]!).msg as string;
    expect(msg).toMatch(/set ADMIN_TOKEN/);
    expect(msg).toMatch(/loopback/);
    expect(msg).toMatch(/X-Forwarded-For/);
  });

  it.each([
    [{ TRUST_PROXY: "true", ADMIN_TOKEN: "a-long-admin-token-0123" }],
    [{ TRUST_PROXY: "false" }],
    [{}],
  ])("says nothing with %o", async (env) => {
    const logs = captureLogger();
    await startTestApp(env, { startServices: false, logger: logs.logger });
    expect(proxyWarnings(logs.lines)).toEqual([]);
    expect(logs.text()).not.toContain("a-long-admin-token-0123");
  });
});
