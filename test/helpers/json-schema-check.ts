/**
 * A small JSON Schema (draft 2020-12) checker for the keywords `z.toJSONSchema` emits for the rules
 * file. It refuses any keyword it does not know, so a schema that grows one fails loudly here
 * instead of being half-checked. Returns the problems found ("rules[0].severity: not in enum").
 */
type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set(["$schema", "title", "description", "examples", "default"]);
const KNOWN = new Set([
  ...ANNOTATIONS,
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "anyOf",
  "oneOf",
  "enum",
  "const",
  "pattern",
  "minLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export function checkJsonSchema(schema: Schema, value: unknown, at = "$"): string[] {
  const unknown = Object.keys(schema).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new Error(`${at}: the checker does not know ${unknown.join(", ")}`);
  const problems: string[] = [];
  const fail = (what: string) => problems.push(`${at}: ${what}`);
  const type = schema.type as string | undefined;
  const actual = typeOf(value);
  if (type && !(actual === type || (type === "number" && actual === "integer"))) return [`${at}: expected ${type}, got ${actual}`];
  if (schema.const !== undefined && value !== schema.const) fail(`expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) fail(`not one of ${schema.enum.join(", ")}`);
  if (typeof value === "string") {
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) fail(`does not match ${schema.pattern}`);
    if (typeof schema.minLength === "number" && value.length < schema.minLength) fail("too short");
  }
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail(`below ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum) fail(`above ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) fail(`not above ${schema.exclusiveMinimum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) fail(`fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((v, i) => problems.push(...checkJsonSchema(schema.items as Schema, v, `${at}[${i}]`)));
  }
  if (actual === "object") problems.push(...checkObject(schema, value as Record<string, unknown>, at));
  for (const key of ["anyOf", "oneOf"] as const) {
    const options = schema[key] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((s) => checkJsonSchema(s, value, at).length === 0).length;
    if (key === "anyOf" ? passing === 0 : passing !== 1) fail(`matches ${passing} of the ${key} choices`);
  }
  return problems;
}

function checkObject(schema: Schema, value: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const key of (schema.required ?? []) as string[]) if (!(key in value)) problems.push(`${at}: missing ${key}`);
  for (const [key, v] of Object.entries(value)) {
    if (schema.propertyNames) problems.push(...checkJsonSchema(schema.propertyNames as Schema, key, `${at}.${key} (name)`));
    if (properties[key]) problems.push(...checkJsonSchema(properties[key], v, `${at}.${key}`));
    else if (schema.additionalProperties === false) problems.push(`${at}: unknown key ${key}`);
    else if (typeof schema.additionalProperties === "object") problems.push(...checkJsonSchema(schema.additionalProperties as Schema, v, `${at}.${key}`));
  }
  return problems;
}
