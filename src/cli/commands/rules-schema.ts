import { z } from "zod";
import { rulesFileSchema } from "../../rules/rule-schema.js";
import type { Output } from "../output.js";

/**
 * The JSON Schema (draft 2020-12) of the rules file, from its zod schema: what a file may contain
 * as written (defaults are applied later, by the compiler), with patterns and descriptions for
 * durations, cron expressions and times of day. Checks across fields (a rule's channel exists, a
 * name is unique) are `stockwatch rules check`'s.
 */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = rulesFileSchema.meta({
    title: "stockwatch rules file",
    description: "Alert rules, channels and digests of stockwatch (config/rules.yaml). Check a file with `stockwatch rules check`.",
  });
  return z.toJSONSchema(schema, { io: "input", target: "draft-2020-12" });
}

/** `stockwatch rules schema`: the JSON Schema on stdout (`> config/rules.schema.json`). */
export function runRulesSchema(out: Output): number {
  out.write(`${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
  return 0;
}
