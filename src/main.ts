import { runServe } from "./cli/commands/serve.js";

/** Process entry for `npm start`: the daemon with settings from the environment. */
runServe(process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`stockwatch: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
