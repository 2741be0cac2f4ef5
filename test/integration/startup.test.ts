import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/config/env.js";
import { openDatabase } from "../../src/db/open-database.js";
import { startTestApp } from "../helpers/test-app.js";
import { tempDir } from "../helpers/temp-dir.js";

describe("startup errors tell the operator what to set", () => {
  it("a taken port names PORT", async () => {
    const first = await startTestApp();
    await expect(startTestApp({ PORT: String(first.app.port) })).rejects.toThrow(/already in use.*set PORT/);
  });

  it("a database path that is a folder names STOCKWATCH_DB", () => {
    const dir = tempDir();
    expect(() => openDatabase(dir)).toThrow(/STOCKWATCH_DB/);
  });

  it.each([
    [{ PORT: "http" }, /PORT/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ SHOPTET_API_URL: "not a url" }, /SHOPTET_API_URL/],
    [{ WEBHOOK_BODY_LIMIT: "12" }, /WEBHOOK_BODY_LIMIT/],
  ])("rejects bad environment %o", (env, message) => {
    expect(() => readSettings(env)).toThrow(message);
  });

  it("reads per-e-shop keys and tokens and the contract's defaults", () => {
    const s = readSettings({ SHOPTET_WEBHOOK_KEY_123: "k123", SHOPTET_API_TOKEN_9: "t9" });
    expect(s.webhookKeys.get(123)).toBe("k123");
    expect(s.apiTokens.get(9)).toBe("t9");
    expect(s).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      dbPath: "data/stockwatch.db",
      rulesPath: "config/rules.yaml",
      shoptetApiUrl: "https://api.myshoptet.com",
      slackApiUrl: "https://slack.com/api/",
      mailFrom: "stockwatch@localhost",
      logLevel: "info",
    });
  });
});
