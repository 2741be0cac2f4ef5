import { Command, InvalidArgumentError } from "commander";
import { loadRulesFile } from "../../rules/load-rules.js";
import { formatRuleError } from "../../rules/rules-types.js";
import { requireSubcommand, type CliContext } from "../cli-context.js";
import { settingsOrSay, withDatabaseOrSay } from "../command-setup.js";
import { createProgress } from "../progress.js";
import { runRulesCheck } from "./rules-check.js";
import { runRulesSchema } from "./rules-schema.js";
import { DEFAULT_SINCE, resolveSince, runRulesTest } from "./rules-test.js";

/** `stockwatch rules check|test|schema`. */
export function registerRules(program: Command, ctx: CliContext): void {
  const rules = requireSubcommand(program.command("rules").summary("the rules file: check, try on history, schema").usage("<check|test|schema> [options]"));

  rules
    .command("check")
    .argument("[file]", "the rules file (default $STOCKWATCH_RULES, else config/rules.yaml)")
    .usage("[file]")
    .summary("validate a rules file (default $STOCKWATCH_RULES)")
    .description(
      "Validates a rules file: exit 0 and a one-line summary, or exit 1 with every error as file:line:col: path: what is wrong. Warnings are printed but do not fail the check.",
    )
    .action(
      ctx.action((file: string | undefined) => {
        const path = file ?? settingsOrSay(ctx.env, ctx.io.err)?.rulesPath;
        return path === undefined ? 1 : runRulesCheck(path, ctx.io.out, ctx.io.err);
      }),
    );

  rules
    .command("test")
    .option("--since <when>", `replay from a duration back (7d) or a date (2026-11-01); default ${DEFAULT_SINCE}`, sinceValue)
    .option("--file <file>", "the rules file to try (default $STOCKWATCH_RULES)")
    .usage(`[--since ${DEFAULT_SINCE}] [--file f]`)
    .summary("replay stored history through the rules; sends nothing")
    .description(
      "Replays the stored events and stock history through the rules and prints, per rule, how many alerts it would have opened, reminded and resolved, with examples. Reads the database only.",
    )
    .action(ctx.action((options: { since?: string; file?: string }) => rulesTest(ctx, options)));

  rules
    .command("schema")
    .usage("[options]")
    .summary("print the rules file's JSON Schema (for editors)")
    .description(
      "Prints the JSON Schema of the rules file, for editors that complete and check YAML, e.g. with `# yaml-language-server: $schema=rules.schema.json` as the file's first line.",
    )
    .action(ctx.action(() => runRulesSchema(ctx.io.out)));
}

/** `--since`: checked now (a usage error), resolved against the clock when the command runs. */
function sinceValue(text: string): string {
  if (resolveSince(text, 0) === undefined) throw new InvalidArgumentError(`takes a duration like 7d or a date like 2026-11-01, got "${text}"`);
  return text;
}

async function rulesTest(ctx: CliContext, options: { since?: string; file?: string }): Promise<number> {
  const settings = settingsOrSay(ctx.env, ctx.io.err);
  if (!settings) return 1;
  const loaded = loadRulesFile(options.file ?? settings.rulesPath);
  if (!loaded.ok) {
    for (const e of loaded.errors) ctx.io.err.write(`${formatRuleError(e)}\n`);
    return 1;
  }
  const now = ctx.deps.clock?.now() ?? Date.now();
  const since = resolveSince(options.since ?? DEFAULT_SINCE, now)!;
  const progress = createProgress("replaying events", ctx.deps.progressStream);
  return withDatabaseOrSay(settings, ctx.io.err, async (db) => {
    runRulesTest({ db, rules: loaded.rules, since, now }, ctx.io.out, (done, total) => progress.update(done, total));
    progress.done();
    return 0;
  });
}
