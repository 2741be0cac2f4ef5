// The engine thread's entry for benchmarks run from source with the tsx CLI (`npx tsx bench/…`):
// on Node 20, worker threads do not get tsx's hooks, so this registers them in the thread and then
// loads the TypeScript entry (src/engine/engine-thread.ts). Passed as createApp's `engineThread`.
import { register } from "tsx/esm/api";

register();
await import("../src/engine/engine-thread.ts");
