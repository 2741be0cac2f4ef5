import { readFileSync } from "node:fs";
import { Command } from "commander";
import type { CliContext } from "./cli-context.js";
import { configureOutputs, helpConfiguration } from "./cli-help.js";
import { registerBackup } from "./commands/backup.js";
import { registerDeliveries } from "./commands/deliveries.js";
import { registerDigest } from "./commands/digest.js";
import { registerPrune } from "./commands/prune.js";
import { registerRecover } from "./commands/recover.js";
import { registerRules } from "./commands/rules.js";
import { registerServe } from "./commands/serve.js";
import { registerSilence } from "./commands/silence.js";
import { registerSync } from "./commands/sync.js";
import { registerWebhooks } from "./commands/webhooks.js";

/** package.json's version (two folders up from src/cli and from dist/cli alike). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The whole `stockwatch` command tree, its actions bound to `ctx`. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command("stockwatch")
    .description("Stock-alerting daemon for Shoptet e-shops: signed webhooks in, Slack alerts and email digests out.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "print help for the command")
    .helpCommand("help [command]", "print help for a command")
    .configureHelp(helpConfiguration)
    .exitOverride()
    .addHelpText("after", '\nSettings come from the environment (see README, "Configuration"). Every command takes --help.');
  registerServe(program, ctx);
  registerRules(program, ctx);
  registerDigest(program, ctx);
  registerSync(program, ctx);
  registerDeliveries(program, ctx);
  registerWebhooks(program, ctx);
  registerPrune(program, ctx);
  registerBackup(program, ctx);
  registerRecover(program, ctx);
  registerSilence(program, ctx);
  configureOutputs(program, ctx.io);
  return program;
}
