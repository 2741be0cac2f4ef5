import { loadRulesFile } from "../../rules/load-rules.js";
import { formatRuleError } from "../../rules/rules-types.js";
import type { Output } from "../output.js";

/**
 * `stockwatch rules check [file]`: exit 0 and a one-line summary
 * ("config/rules.yaml: ok — 2 channels, 3 rules, 1 digest"), or exit 1 with every error as
 * `file:line:col: path: what is wrong`. Warnings (e.g. an event type Shoptet does not list) are
 * printed but do not fail the check.
 */
export function runRulesCheck(file: string, out: Output, err: Output = out): number {
  const result = loadRulesFile(file);
  for (const w of result.warnings) err.write(`${formatRuleError(w, "warning: ")}\n`);
  if (!result.ok) {
    for (const e of result.errors) err.write(`${formatRuleError(e)}\n`);
    err.write(`${file}: ${plural(result.errors.length, "error")}; nothing was changed\n`);
    return 1;
  }
  const r = result.rules;
  out.write(
    `${file}: ok — ${plural(r.channels.size, "channel")}, ${plural(r.rules.length, "rule")}, ${plural(r.digests.length, "digest")}\n`,
  );
  return 0;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
