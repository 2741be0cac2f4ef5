import { loadRulesText } from "../../src/rules/load-rules.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { formatRuleError } from "../../src/rules/rules-types.js";
import { levelOf, type ProductSnapshot, type StockChange } from "../../src/stock/stock-types.js";

/** Channels most rule tests use. */
export const CHANNELS = `timezone: Europe/Prague
channels:
  warehouse: { type: slack, channel: "#warehouse" }
  managers: { type: email, to: [manager@example.com] }
`;

/** Compiles rules written as YAML (a `rules:` list body), failing the test on any error. */
export function makeRules(rulesYaml: string, header = CHANNELS): CompiledRules {
  const result = loadRulesText(`${header}rules:\n${rulesYaml}`, "test.yaml");
  if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join("\n"));
  return result.rules;
}

export function snapshot(code: string, quantity: number, min: number | null = 5, perStock: Record<string, number> = {}, eshopId = 1): ProductSnapshot {
  return { eshopId, code, name: `Product ${code}`, quantity, minStockSupply: min, level: levelOf(quantity, min), perStock };
}

export function change(current: ProductSnapshot, at: number, previous: ProductSnapshot | null = null): StockChange {
  return { eshopId: current.eshopId, code: current.code, previous, current, cause: { event: "stock:movement", eventId: null }, at };
}
