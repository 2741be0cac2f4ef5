import { Help, type Command, type HelpConfiguration, type OutputConfiguration } from "commander";
import type { CliIo } from "./cli-context.js";

/**
 * How the CLI shows itself: every help lists the runnable commands below it with their full usage
 * ("rules check [file]", not just "rules"), and a usage error says what is wrong, the usage of that
 * command group, and where its --help is.
 */

/** The words after `stockwatch` that name `command` ("silence add"; "" for stockwatch itself). */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** The commands that run something, below `command` (itself when it has no subcommands). */
export function runnableCommands(command: Command): Command[] {
  const below = command.commands.filter((c) => c.name() !== "help");
  return below.length ? below.flatMap(runnableCommands) : [command];
}

/** "silence expire ID": the path and the usage of a runnable command. */
export function usageLine(command: Command): string {
  // commander's default usage ("[options]", for --help) is left out when a command takes nothing else
  if (command.usage() === "[options]" && command.options.length === 0) return commandPath(command);
  return `${commandPath(command)} ${command.usage()}`.trim();
}

/** Terms longer than this (in command lists) get their description on the next line. */
const TERM_WIDTH = 36;

/** Help lists the runnable commands (with their usage) instead of just the next word. */
export const helpConfiguration: HelpConfiguration = {
  helpWidth: 100,
  longestSubcommandTermLength: (command, helper) => Math.min(TERM_WIDTH, Help.prototype.longestSubcommandTermLength.call(helper, command, helper)),
  formatItem: (term, termWidth, description, helper) => {
    if (!description || term.length <= termWidth) return Help.prototype.formatItem.call(helper, term, termWidth, description, helper);
    const indent = " ".repeat(termWidth + 4);
    const width = (helper.helpWidth ?? 80) - indent.length;
    return `  ${term}\n${indent}${helper.boxWrap(description, width).replace(/\n/g, `\n${indent}`)}`;
  },
  visibleCommands: (command) => {
    const listed = command.commands.length ? runnableCommands(command) : [];
    const help = new Help().visibleCommands(command).find((c) => c.name() === "help");
    return !command.parent && help ? [...listed, help] : listed;
  },
  subcommandTerm: (command) => (command.name() === "help" ? "help [command]" : usageLine(command)),
};

/** The top-level command of the group `command` belongs to ("silence" for "silence add"). */
function groupOf(command: Command): Command {
  let c = command;
  while (c.parent?.parent) c = c.parent;
  return c;
}

/** What follows a usage error: the group's usage lines and where to read more. */
export function usageHint(command: Command): string {
  if (!command.parent) return "(see stockwatch --help)";
  const lines = runnableCommands(groupOf(command)).map((c) => `stockwatch ${usageLine(c)}`);
  return `\nusage: ${lines.join("\n       ")}\n(see stockwatch ${commandPath(command)} --help)`;
}

/**
 * commander's message ("error: option '--since <duration>' argument 'x' is invalid. takes a …")
 * as this CLI says it: "stockwatch recover: --since takes a …", double quotes around names.
 */
export function formatUsageError(command: Command, message: string): string {
  const text = message
    .trim()
    .replace(/^error: /, "")
    .replace(/^option '(-[^ ',]+)[^']*' argument '[^']*' is invalid\. /s, "$1 ")
    .replace(/^command-argument value '[^']*' is invalid for argument '([^']*)'\. /s, "<$1> ")
    .replace(/'([^'\s][^']*)'(?![A-Za-z])/g, '"$1"');
  const path = commandPath(command);
  return `stockwatch${path ? ` ${path}` : ""}: ${text}\n`;
}

/** Gives every command of the tree the CLI's outputs, error format and usage hint. */
export function configureOutputs(root: Command, io: CliIo): void {
  const visit = (command: Command) => {
    const output: OutputConfiguration = {
      writeOut: (text) => void io.out.write(text),
      writeErr: (text) => void io.err.write(text),
      outputError: (text, write) => write(formatUsageError(command, text)),
    };
    command.configureOutput(output).showHelpAfterError(usageHint(command));
    command.commands.forEach(visit);
  };
  visit(root);
}
