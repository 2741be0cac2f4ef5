import { CommanderError } from "commander";
import type { Env } from "../config/env.js";
import { coerceError } from "../shared/errors.js";
import { EXIT_FAILED, EXIT_USAGE, type CliDeps, type CliIo } from "./cli-context.js";
import { buildProgram } from "./program.js";

export type { CliDeps, CliIo };

const stdio: CliIo = { out: process.stdout, err: process.stderr };

/**
 * The `stockwatch` command line: runs the command `argv` names and returns the exit code — 0 done
 * (also for --help and --version), 1 failed, 2 the command line is wrong (unknown command or
 * option, missing argument, bad value; nothing was done).
 */
export async function runCli(argv: readonly string[], env: Env = process.env, io: CliIo = stdio, deps: CliDeps = {}): Promise<number> {
  let code = 0;
  const program = buildProgram({
    env,
    io,
    deps,
    action:
      (run) =>
      async (...args) => {
        code = await run(...args);
      },
  });
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    io.err.write(`stockwatch: ${coerceError(error).message}\n`);
    return EXIT_FAILED;
  }
}
