import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Worker threads inherit these: the engine thread then runs from source (test/helpers/tsx-in-workers.mjs).
    execArgv: ["--import", fileURLToPath(new URL("./test/helpers/tsx-in-workers.mjs", import.meta.url))],
  },
});
