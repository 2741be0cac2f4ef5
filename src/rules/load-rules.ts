import { readFileSync, statSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { crossCheck } from "./check-rules.js";
import { compileRules } from "./compile-rules.js";
import { RULE_LIMITS } from "./rule-defaults.js";
import { rulesFileSchema } from "./rule-schema.js";
import type { LoadResult, RuleError } from "./rules-types.js";
import { issuesToErrors } from "./schema-errors.js";
import { YamlLocator } from "./yaml-positions.js";

/**
 * Reads, validates and compiles a rules file. Never throws for a bad file: every problem comes
 * back as a RuleError with file, line and column, all of them at once, in file order.
 */
export function loadRulesFile(path: string): LoadResult {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > RULE_LIMITS.maxFileBytes) {
      return fail(path, `the file is ${size} bytes; a rules file may be at most ${RULE_LIMITS.maxFileBytes} bytes`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : (error as Error).message;
    return fail(path, `cannot read the rules file (${why}); create it (see config/rules.yaml) or set STOCKWATCH_RULES`, 0);
  }
  return loadRulesText(text, path);
}

/** Validates and compiles rules given as text; `fileName` is used in error messages only. */
export function loadRulesText(text: string, fileName: string): LoadResult {
  if (Buffer.byteLength(text) > RULE_LIMITS.maxFileBytes) {
    return fail(fileName, `the rules are larger than ${RULE_LIMITS.maxFileBytes} bytes`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const locator = new YamlLocator(fileName, doc, lines);

  const syntax: RuleError[] = doc.errors.map((e) => locator.offsetError(e.pos[0], yamlMessage(e.code, e.message, text.slice(e.pos[0], e.pos[0] + 200))));
  const warnings: RuleError[] = doc.warnings.map((w) => locator.offsetError(w.pos[0], w.message));
  if (syntax.length) return { ok: false, errors: syntax, warnings };

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: RULE_LIMITS.maxAliasCount });
  } catch (error) {
    return {
      ok: false,
      errors: [locator.offsetError(0, `${(error as Error).message}; use fewer YAML aliases (*name) — at most ${RULE_LIMITS.maxAliasCount} expansions`)],
      warnings,
    };
  }
  if (data === null || data === undefined) {
    return fail(fileName, 'the file is empty; start from config/rules.yaml (it needs "channels:" and "rules:")');
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: [locator.error([], 'expected a map with "timezone", "channels", "rules" and "digests" at the top')], warnings };
  }

  const parsed = rulesFileSchema.safeParse(data);
  const errors = parsed.success ? [] : issuesToErrors(parsed.error.issues, data, locator);
  const cross = crossCheck(data, locator);
  errors.push(...cross.errors);
  warnings.push(...cross.warnings);
  if (!parsed.success || errors.length) return { ok: false, errors: sortErrors(dedupe(errors)), warnings: sortErrors(warnings) };

  const rules = compileRules(parsed.data, fileName, text, (path) => locator.position(path).line);
  return { ok: true, rules, warnings: sortErrors(warnings) };
}

function fail(file: string, message: string, line = 1): LoadResult {
  return { ok: false, errors: [{ file, line: Math.max(line, 1), col: 1, path: "", message }], warnings: [] };
}

/** yaml's messages, with a hint for the mistakes people make most when editing by hand. */
function yamlMessage(code: string, message: string, source: string): string {
  switch (code) {
    case "DUPLICATE_KEY": {
      const key = /^[^:\s]+/.exec(source)?.[0];
      return `${key ? `"${key}"` : "this key"} appears twice in the same map; remove or rename one`;
    }
    case "BAD_INDENT":
    case "MISSING_CHAR":
      return `${message}; check the indentation and closing brackets`;
    case "TAB_AS_INDENT":
      return "tab used for indentation; YAML needs spaces";
    default:
      return message;
  }
}

function sortErrors(errors: RuleError[]): RuleError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.col - b.col);
}

function dedupe(errors: RuleError[]): RuleError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.line}:${e.col}:${e.path}:${e.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
