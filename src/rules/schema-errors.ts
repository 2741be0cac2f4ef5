import type { z } from "zod";
import { ALLOWED_KEYS } from "./rule-schema.js";
import type { RuleError } from "./rules-types.js";
import { didYouMean } from "./suggest.js";
import { valueAt, type YamlLocator, type YamlPath } from "./yaml-positions.js";

type Issue = z.core.$ZodIssue;

/** What to write for a missing required key. */
const MISSING_HINTS: Record<string, string> = {
  channels: 'add "channels:" with at least one channel, e.g. warehouse: {type: slack, channel: "#warehouse"}',
  name: 'add "name: <unique-name>"',
  when: 'add "when:" with a condition, e.g. level: soldOut',
  notify: 'add "notify: [<channel>]" naming a channel from "channels:"',
  type: 'add "type: slack" or "type: email"',
  channel: 'add "channel: \\"#name\\"" (a Slack channel name or id)',
  to: 'add "to: [someone@example.com]"',
  schedule: 'add "schedule: \\"0 7 * * 1-5\\"" (cron, in the file\'s timezone)',
  from: 'add "from: \\"22:00\\""',
  leadTime: 'add "leadTime: 10d" (how long a reorder takes to arrive)',
  products: 'add "products: [\\"KAV-*\\"]" (product code globs; ["*"] for every product)',
};

/** Keys people put one level too high, and where they belong. */
const BELONGS_UNDER_WHEN = new Set(["level", "quantity", "daysOfCover", "products", "stocks", "event", "instances", "eshops"]);

/** Turns zod issues into RuleErrors at the YAML position of the offending node, with a fix hint. */
export function issuesToErrors(issues: readonly Issue[], data: unknown, locator: YamlLocator, base: YamlPath = []): RuleError[] {
  const out: RuleError[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path];
    out.push(...issueToErrors(issue, path, data, locator));
  }
  return out;
}

function issueToErrors(issue: Issue, path: PropertyKey[], data: unknown, locator: YamlLocator): RuleError[] {
  const value = valueAt(data, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeysAt(path, data);
      return issue.keys.map((key) => {
        let message: string;
        if (allowed === ALLOWED_KEYS.rule && BELONGS_UNDER_WHEN.has(key)) {
          message = `"${key}" is a condition: move it under "when:"`;
        } else {
          message = `unknown key "${key}"${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}`;
        }
        return locator.error(path, message, key);
      });
    }
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const at = path[path.length - 1] === issue.discriminator ? path : [...path, issue.discriminator];
        const got = valueAt(data, at);
        const options = (issue as { options?: unknown[] }).options ?? [];
        const list = options.map((o) => `"${String(o)}"`).join(" or ");
        if (got === undefined) return missing(at, locator);
        return [
          locator.error(at, `unknown ${issue.discriminator} "${String(got)}"${didYouMean(String(got), options.map(String))}; use ${list}`),
        ];
      }
      // A "value or list" union: when the person wrote a list, the list branch says what is wrong inside it.
      const inner = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (inner) return issuesToErrors(inner, data, locator, path);
      if (value === undefined) return missing(path, locator);
      return [locator.error(path, `${issue.message}, got ${describe(value)}`)];
    }
    case "invalid_type":
      if (value === undefined) return missing(path, locator);
      return [locator.error(path, `${cleanMessage(issue.message, `expected ${issue.expected}`)}, got ${describe(value)}`)];
    case "invalid_value": {
      const options = issue.values.map(String);
      if (value === undefined) return missing(path, locator);
      return [
        locator.error(
          path,
          `${cleanMessage(issue.message, `expected one of ${options.join(", ")}`)}, got ${describe(value)}${didYouMean(String(value), options)}`,
        ),
      ];
    }
    case "too_small":
      if (Array.isArray(value)) return [locator.error(path, "empty list; give at least one item or remove the key")];
      if (typeof value === "string") return [locator.error(path, "empty text; write a value or remove the key")];
      return [locator.error(path, `must be greater than ${String(issue.minimum)}, got ${describe(value)}`)];
    case "too_big":
      return [locator.error(path, `must be at most ${String(issue.maximum)}, got ${describe(value)}`)];
    case "invalid_format":
      return [locator.error(path, `${issue.message}, got ${describe(value)}`)];
    default:
      return [locator.error(path, issue.message)];
  }
}

function missing(path: PropertyKey[], locator: YamlLocator): RuleError[] {
  const key = String(path[path.length - 1] ?? "");
  const parent = path.slice(0, -1);
  const hint = MISSING_HINTS[key] ?? `add "${key}:"`;
  return [{ ...locator.error(parent, `missing "${key}"; ${hint}`), path: formatPathSafe(path) }];
}

function formatPathSafe(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
}

/** zod's own "Invalid input: …" wording is replaced by ours; custom messages are kept. */
function cleanMessage(message: string, fallback: string): string {
  return message.startsWith("Invalid") ? fallback : message;
}

function allowedKeysAt(path: readonly PropertyKey[], data: unknown): readonly string[] {
  const last = path[path.length - 1];
  const beforeLast = path[path.length - 2];
  if (path.length === 0) return ALLOWED_KEYS.file;
  if (last === "when") return ALLOWED_KEYS.when;
  if (last === "quantity") return ALLOWED_KEYS.quantity;
  if (last === "daysOfCover") return ALLOWED_KEYS.daysOfCover;
  if (path.length === 1 && last === "forecast") return ALLOWED_KEYS.forecast;
  if (path[0] === "forecast" && beforeLast === "leadTimes") return ALLOWED_KEYS.leadTime;
  if (last === "quietHours" || beforeLast === "quietHours") return ALLOWED_KEYS.quietHours;
  if (path[0] === "rules" && path.length === 2) return ALLOWED_KEYS.rule;
  if (path[0] === "digests" && path.length === 2) return ALLOWED_KEYS.digest;
  if (path[0] === "channels" && path.length === 2) {
    return (valueAt(data, [...path, "type"]) === "email" ? ALLOWED_KEYS.email : ALLOWED_KEYS.slack) as readonly string[];
  }
  return [];
}

/** A short rendering of what the person wrote, for "got …". */
export function describe(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `"${value}"`;
  return String(value);
}
