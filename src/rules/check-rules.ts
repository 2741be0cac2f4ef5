import { EVENT_CATALOG } from "../events/event-catalog.js";
import { compileGlobList, isGlob } from "./glob.js";
import { NAME_PATTERN } from "./rule-defaults.js";
import type { RuleError } from "./rules-types.js";
import { didYouMean, closest } from "./suggest.js";
import type { YamlLocator, YamlPath } from "./yaml-positions.js";

/**
 * Checks across fields and sections that a schema cannot express: unique names, every `notify`
 * naming a defined channel, which conditions and options go together, thresholds that can never
 * hold. Works on the raw parsed data and skips whatever has the wrong shape (the schema reports
 * that), so one run reports every problem in the file.
 */
export function crossCheck(data: unknown, at: YamlLocator): { errors: RuleError[]; warnings: RuleError[] } {
  const errors: RuleError[] = [];
  const warnings: RuleError[] = [];
  if (!isRecord(data)) return { errors, warnings };

  const channelNames: string[] = [];
  if (isRecord(data.channels)) {
    for (const name of Object.keys(data.channels)) {
      channelNames.push(name);
      if (!NAME_PATTERN.test(name)) {
        errors.push(at.error(["channels"], `channel name "${name}" may use only letters, digits, "-", "_" and "."`, name));
      }
    }
    if (channelNames.length === 0) errors.push(at.error(["channels"], "no channels defined; add at least one, e.g. warehouse: {type: slack, channel: \"#warehouse\"}"));
  }

  const checkNotify = (path: YamlPath, notify: unknown) => {
    const list = typeof notify === "string" ? [notify] : Array.isArray(notify) ? notify : null;
    if (list === null) return;
    if (list.length === 0) errors.push(at.error(path, `names no channel; add at least one of: ${channelNames.join(", ") || "(define a channel first)"}`));
    list.forEach((name, i) => {
      if (typeof name !== "string" || channelNames.includes(name)) return;
      const suggestion = closest(name, channelNames);
      const hint = suggestion ? `; did you mean "${suggestion}"?` : `; add it under "channels:" or use a defined one`;
      const itemPath = typeof notify === "string" ? path : [...path, i];
      errors.push(at.error(itemPath, `unknown channel "${name}" (defined: ${channelNames.join(", ") || "none"})${hint}`));
    });
  };

  const checkNames = (section: "rules" | "digests", what: string) => {
    const items = data[section];
    if (!Array.isArray(items)) return;
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      if (!isRecord(item)) return;
      const name = item.name;
      if (typeof name === "string") {
        if (!NAME_PATTERN.test(name)) {
          errors.push(at.error([section, i, "name"], `${what} name "${name}" may use only letters, digits, "-", "_" and "." (no spaces or ":")`));
        }
        const first = seen.get(name);
        if (first !== undefined) {
          const line = at.position([section, first, "name"]).line;
          errors.push(at.error([section, i, "name"], `duplicate ${what} name "${name}" (first used on line ${line}); ${what} names must be unique`));
        } else {
          seen.set(name, i);
        }
      }
      checkNotify([section, i, "notify"], item.notify);
    });
  };
  checkNames("rules", "rule");
  checkNames("digests", "digest");

  const forecast = isRecord(data.forecast) ? data.forecast : null;
  const hasLeadTimes = Array.isArray(forecast?.leadTimes) && forecast.leadTimes.length > 0;
  if (Array.isArray(data.rules)) {
    data.rules.forEach((rule, i) => {
      if (isRecord(rule)) checkRule(rule, ["rules", i], at, errors, warnings, hasLeadTimes);
    });
  }
  return { errors, warnings };
}

const STOCK_CONDITIONS = ["level", "quantity", "daysOfCover", "products", "stocks"] as const;
const STOCK_OPTIONS = ["repeat", "resolve", "clearAbove", "clearBelow", "suppressWhenSoldOut"] as const;

function checkRule(
  rule: Record<string, unknown>,
  path: YamlPath,
  at: YamlLocator,
  errors: RuleError[],
  warnings: RuleError[],
  hasLeadTimes: boolean,
) {
  const when = rule.when;
  if (!isRecord(when)) return;
  const whenPath = [...path, "when"];
  if (when.event !== undefined) {
    checkEventRule(rule, when, path, at, errors, warnings);
    return;
  }
  if (when.instances !== undefined) {
    errors.push(at.error(whenPath, '"instances" filters event rules; add "event:" or, for product codes, use "products"', "instances"));
  }
  if (rule.cooldown !== undefined) {
    errors.push(at.error(path, '"cooldown" applies to event rules; for stock rules use "repeat" (reminders) or "clearAbove" (hysteresis)', "cooldown"));
  }
  if (when.level === undefined && when.quantity === undefined && when.daysOfCover === undefined) {
    errors.push(at.error(whenPath, 'a stock rule needs "level" or "quantity" (or "event" for an event rule), e.g. level: soldOut'));
  }
  if (isRecord(when.daysOfCover)) checkDaysOfCover(when.daysOfCover, [...whenPath, "daysOfCover"], at, errors, hasLeadTimes);
  if (when.stocks !== undefined && when.quantity === undefined) {
    errors.push(at.error(whenPath, '"stocks" applies the quantity condition per warehouse; add "quantity", e.g. quantity: {below: 5}', "stocks"));
  }
  const quantity = checkQuantity(when, [...whenPath, "quantity"], at, errors);
  checkClear(rule, when, quantity, path, at, errors);
}

/** An event rule: no stock conditions or options; event types checked against Shoptet's list. */
function checkEventRule(rule: Record<string, unknown>, when: Record<string, unknown>, path: YamlPath, at: YamlLocator, errors: RuleError[], warnings: RuleError[]) {
  const whenPath = [...path, "when"];
  for (const key of STOCK_CONDITIONS) {
    if (when[key] !== undefined) {
      const alt = key === "products" ? '; to filter event instances use "instances"' : "";
      errors.push(at.error(whenPath, `"${key}" is a stock condition and cannot be combined with "event"${alt}; or split this into two rules`, key));
    }
  }
  for (const key of STOCK_OPTIONS) {
    if (rule[key] !== undefined) {
      errors.push(at.error(path, `"${key}" applies to stock rules; an event rule sends one message per matching event (use "cooldown" to limit them)`, key));
    }
  }
  checkEventNames(when.event, [...whenPath, "event"], at, warnings);
}

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

interface QuantityBounds {
  q: Record<string, unknown> | null;
  below: number | undefined;
  above: number | undefined;
  /** below, else atOrBelow. */
  upper: number | undefined;
}

/** `quantity`: not empty, one upper bound, and a range that can hold. */
function checkQuantity(when: Record<string, unknown>, qPath: YamlPath, at: YamlLocator, errors: RuleError[]): QuantityBounds {
  const q = isRecord(when.quantity) ? when.quantity : null;
  const below = num(q?.below);
  const atOrBelow = num(q?.atOrBelow);
  const above = num(q?.above);
  if (q && below === undefined && atOrBelow === undefined && above === undefined && Object.keys(q).length === 0) {
    errors.push(at.error(qPath, "empty; write one of below, atOrBelow, above, e.g. {below: 20}"));
  }
  if (below !== undefined && atOrBelow !== undefined) {
    errors.push(at.error(qPath, 'use either "below" or "atOrBelow", not both', "atOrBelow"));
  }
  const upper = below ?? atOrBelow;
  if (above !== undefined && upper !== undefined && above >= upper) {
    errors.push(at.error(qPath, `never true: above (${above}) must be less than ${below !== undefined ? "below" : "atOrBelow"} (${upper})`, "above"));
  }
  return { q, below, above, upper };
}

/** `clearAbove` / `clearBelow` (hysteresis): on the side the rule watches, and beyond its threshold. */
function checkClear(rule: Record<string, unknown>, when: Record<string, unknown>, { q, above, upper }: QuantityBounds, path: YamlPath, at: YamlLocator, errors: RuleError[]) {
  const level = when.level;
  const coverOnly = when.daysOfCover !== undefined && level === undefined && q === null;
  const lowSide = level === "soldOut" || level === "low" || upper !== undefined;
  const highSide = level === "ok" || above !== undefined;
  const clearAbove = num(rule.clearAbove);
  const clearBelow = num(rule.clearBelow);
  if (rule.clearAbove !== undefined && coverOnly) {
    errors.push(
      at.error(path, '"clearAbove" here is a quantity, and this rule has no quantity condition; for days of cover write it inside daysOfCover, e.g. daysOfCover: {below: 7, clearAbove: 10}', "clearAbove"),
    );
  } else if (rule.clearAbove !== undefined && !lowSide) {
    errors.push(at.error(path, '"clearAbove" keeps a low-stock alert open until the quantity rises above it; this rule watches high stock, use "clearBelow"', "clearAbove"));
  } else if (clearAbove !== undefined) {
    const threshold = upper ?? 0;
    if (clearAbove < threshold) {
      const what = upper !== undefined ? `the threshold (${upper})` : "0";
      errors.push(at.error([...path, "clearAbove"], `${clearAbove} is below ${what}; clearAbove must be at or above it so the alert can close`));
    }
  }
  if (rule.clearBelow !== undefined && !highSide) {
    errors.push(at.error(path, '"clearBelow" keeps a high-stock alert open until the quantity drops below it; this rule watches low stock, use "clearAbove"', "clearBelow"));
  } else if (clearBelow !== undefined && above !== undefined && clearBelow > above) {
    errors.push(at.error([...path, "clearBelow"], `${clearBelow} is above the threshold (${above}); clearBelow must be at or below it so the alert can close`));
  }
}

/** `daysOfCover`: one threshold (a number of days, or the lead time) and the options that go with it. */
function checkDaysOfCover(c: Record<string, unknown>, path: YamlPath, at: YamlLocator, errors: RuleError[], hasLeadTimes: boolean) {
  const below = typeof c.below === "number" ? c.below : undefined;
  if (c.belowLeadTime === false) {
    errors.push(at.error(path, "belowLeadTime: false compares with nothing; write belowLeadTime: true, or use below: <days>", "belowLeadTime"));
    return;
  }
  const leadTime = c.belowLeadTime === true;
  if (c.below === undefined && c.belowLeadTime === undefined) {
    errors.push(at.error(path, 'say when it holds: below: 7 (days of cover), or belowLeadTime: true (less than the product\'s lead time + safety)'));
  }
  if (c.below !== undefined && leadTime) {
    errors.push(at.error(path, 'use either "below" or "belowLeadTime", not both', "belowLeadTime"));
  }
  if (leadTime && !hasLeadTimes) {
    errors.push(
      at.error(path, 'belowLeadTime needs lead times: add at the top level forecast: {leadTimes: [{products: ["*"], leadTime: 14d}]}', "belowLeadTime"),
    );
  }
  for (const key of ["safety", "clearMargin"] as const) {
    if (c[key] !== undefined && !leadTime) {
      errors.push(at.error(path, `"${key}" adds to the lead time and needs belowLeadTime: true; with below: <days>, ${key === "safety" ? "raise the number" : 'use "clearAbove"'}`, key));
    }
  }
  if (c.clearAbove !== undefined && leadTime) {
    errors.push(at.error(path, '"clearAbove" is a fixed number of days; with belowLeadTime use clearMargin: 3d (days above lead time + safety)', "clearAbove"));
  }
  if (typeof c.clearAbove === "number" && below !== undefined && c.clearAbove < below) {
    errors.push(at.error([...path, "clearAbove"], `${c.clearAbove} is below the threshold (${below}); clearAbove must be at or above it so the alert can close`));
  }
  if (below === 0) {
    errors.push(at.error([...path, "below"], "never true: the cover is never below 0 days; for sold-out products use level: soldOut"));
  }
}

function checkEventNames(value: unknown, path: YamlPath, at: YamlLocator, warnings: RuleError[]) {
  const list = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
  const known = Object.keys(EVENT_CATALOG);
  list.forEach((name, i) => {
    if (typeof name !== "string" || name.startsWith("!")) return;
    const itemPath = typeof value === "string" ? path : [...path, i];
    if (!isGlob(name)) {
      if (!(name in EVENT_CATALOG)) {
        warnings.push(at.error(itemPath, `event type "${name}" is not in Shoptet's list${didYouMean(name, known)}; this rule matches only if Shoptet sends exactly that type`));
      }
      return;
    }
    const compiled = compileGlobList([name]);
    if (compiled.ok && !known.some((e) => compiled.matcher.test(e))) {
      warnings.push(at.error(itemPath, `"${name}" matches no event type in Shoptet's list (types look like "order:create")`));
    }
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
