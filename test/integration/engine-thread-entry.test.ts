import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { readSettings } from "../../src/config/env.js";
import { ConfigError } from "../../src/shared/errors.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDbPath } from "../helpers/temp-dir.js";

describe("the engine thread's module", () => {
  it("is the one the composition root is given, and its refusal stops the start as an operator's error", async () => {
    const settings = readSettings({ HOST: "127.0.0.1", PORT: "0", STOCKWATCH_DB: tempDbPath() });
    const app = createApp({ settings, logger: silentLogger(), engineThread: new URL("../fixtures/engine/refusing-engine-thread.mjs", import.meta.url) });
    const started = app.start();
    await expect(started).rejects.toThrow("the fixture's engine thread refuses to start");
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    await app.stop();
  });
});
