import type { Command } from "commander";
import type { Env } from "../config/env.js";
import type { Clock } from "../shared/clock.js";
import type { Sleep } from "../shoptet/token-gate.js";
import type { Output } from "./output.js";
import type { ProgressStream } from "./progress.js";

/** Where the CLI writes: the process's stdout and stderr, or a test's collectors. */
export interface CliIo {
  out: Output;
  err: Output;
}

/** What a test can swap in; production uses the defaults (the system clock, fetch, real sleeps, stderr). */
export interface CliDeps {
  clock?: Clock;
  fetch?: typeof fetch;
  sleep?: Sleep;
  /** Where progress counters go (a TTY gets one; otherwise nothing); default process.stderr. */
  progressStream?: ProgressStream;
}

/** What every command's action gets: the environment, the outputs, the swappable parts. */
export interface CliContext {
  env: Env;
  io: CliIo;
  deps: CliDeps;
  /** Wraps a command's action: the exit code it returns becomes the process's. */
  action<A extends unknown[]>(run: (...args: A) => Promise<number> | number): (...args: A) => Promise<void>;
}

/** Exit codes: 0 done, 1 failed (the message says why), 2 the command line is wrong. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Code of the usage errors the commands raise themselves (commander's own start with "commander."). */
export const USAGE_ERROR_CODE = "stockwatch.usage";

/**
 * Ends the command as a usage error (exit 2): the message, the command's usage and a pointer to
 * its --help go to stderr. Nothing of the command's work has been done.
 */
export function usageError(command: Command, message: string): never {
  command.error(message, { exitCode: EXIT_USAGE, code: USAGE_ERROR_CODE });
}

/**
 * Makes `group` (a command whose work is done by its subcommands) refuse a missing or unknown
 * subcommand as a usage error that names the ones there are; `<group> help` shows its help.
 */
export function requireSubcommand(group: Command): Command {
  return group.argument("[command...]", "the subcommand and its arguments").action((words: string[], _options: unknown, command: Command) => {
    const word = words[0];
    if (word === "help") command.help();
    const names = command.commands.map((c) => c.name());
    const choices = names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names.join("");
    usageError(
      command,
      word === undefined ? `${command.name()} needs a subcommand: ${choices}` : `unknown ${command.name()} subcommand "${word}"; use ${choices}`,
    );
  });
}
