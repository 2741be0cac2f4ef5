// Preload (`node --import`) that lets worker threads run TypeScript source: on Node 20, tsx's own
// `--import tsx` registers its hooks on the main thread only, so the engine thread
// (src/engine/engine-thread.ts, spawned by the composition root from the URL the module loader
// resolves) could not be loaded from source. Worker threads inherit the preloads of process.execArgv,
// so this registers tsx in each of them. The tests use it through vitest.config.ts, the daemon
// harness and bench scripts through their own flags; production runs dist/ and needs none of it.
import { isMainThread } from "node:worker_threads";
import { register } from "tsx/esm/api";

if (!isMainThread) register();
