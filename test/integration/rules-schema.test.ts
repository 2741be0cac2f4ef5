import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { loadRulesFile } from "../../src/rules/load-rules.js";
import { ALLOWED_KEYS, FORMATS, rulesFileSchema } from "../../src/rules/rule-schema.js";
import { checkJsonSchema } from "../helpers/json-schema-check.js";

type Schema = Record<string, any>;

async function printedSchema(): Promise<string> {
  let out = "";
  const code = await runCli(["rules", "schema"], {}, { out: { write: (t: string) => (out += t) }, err: { write: () => true } });
  expect(code).toBe(0);
  return out;
}

const FIXTURES = "test/fixtures/rules";

describe("stockwatch rules schema", () => {
  it("prints the committed config/rules.schema.json (regenerate: stockwatch rules schema > config/rules.schema.json)", async () => {
    expect(await printedSchema()).toBe(readFileSync("config/rules.schema.json", "utf8"));
  });

  it("is a draft 2020-12 schema naming every key the rules file may have, and no other", async () => {
    const schema = JSON.parse(await printedSchema()) as Schema;
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe("stockwatch rules file");
    const keys = (s: Schema) => Object.keys(s.properties).sort();
    expect(keys(schema)).toEqual([...ALLOWED_KEYS.file].sort());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["channels"]);
    const rule = schema.properties.rules.items;
    expect(keys(rule)).toEqual([...ALLOWED_KEYS.rule].sort());
    expect(keys(rule.properties.when)).toEqual([...ALLOWED_KEYS.when].sort());
    expect(keys(schema.properties.digests.items)).toEqual([...ALLOWED_KEYS.digest].sort());
    expect(keys(schema.properties.forecast)).toEqual([...ALLOWED_KEYS.forecast].sort());
    const [slack, email] = schema.properties.channels.additionalProperties.oneOf;
    expect([keys(slack), keys(email)]).toEqual([[...ALLOWED_KEYS.slack].sort(), [...ALLOWED_KEYS.email].sort()]);
  });

  it("gives durations, cron expressions and times of day their pattern and a description", async () => {
    const schema = JSON.parse(await printedSchema()) as Schema;
    const rule = schema.properties.rules.items.properties;
    for (const name of ["repeat", "group", "cooldown"]) {
      expect(rule[name].pattern, name).toBe(FORMATS.duration.pattern);
      expect(rule[name].description, name).toContain("e.g. 30s, 5m, 12h, 7d");
    }
    expect(rule.repeat.description).toContain("how often to remind");
    expect(schema.properties.forecast.properties.window.pattern).toBe(FORMATS.duration.pattern);
    const schedule = schema.properties.digests.items.properties.schedule;
    expect(schedule).toMatchObject({ type: "string", pattern: FORMATS.cron.pattern });
    expect(schedule.description).toContain("cron");
    const quiet = schema.properties.channels.additionalProperties.oneOf[0].properties.quietHours.anyOf[0].properties;
    expect(quiet.from).toMatchObject({ pattern: FORMATS.timeOfDay.pattern });
    expect(quiet.to).toMatchObject({ pattern: FORMATS.timeOfDay.pattern });
    expect(schema.properties.timezone.description).toContain("IANA");
  });

  it("accepts config/rules.yaml, which names it in its first line, and the loader still reads that file", async () => {
    const schema = JSON.parse(await printedSchema()) as Schema;
    const text = readFileSync("config/rules.yaml", "utf8");
    const first = text.split("\n")[0]!;
    expect(first).toMatch(/^# yaml-language-server: \$schema=\S+$/);
    expect(existsSync(join(dirname("config/rules.yaml"), first.split("$schema=")[1]!))).toBe(true);
    expect(checkJsonSchema(schema, parse(text))).toEqual([]);
    expect(loadRulesFile("config/rules.yaml").ok).toBe(true);
  });

  it("agrees with the zod schema on the example rules files: what zod accepts passes, and shape mistakes fail", async () => {
    const schema = JSON.parse(await printedSchema()) as Schema;
    const refused: string[] = [];
    for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml")).sort()) {
      let value: unknown;
      try {
        value = parse(readFileSync(join(FIXTURES, name), "utf8"));
      } catch {
        continue; // not YAML at all (syntax, duplicate keys): no schema to apply
      }
      const zodOk = rulesFileSchema.safeParse(value).success;
      const problems = checkJsonSchema(schema, value ?? {});
      if (zodOk) expect(problems, name).toEqual([]);
      if (problems.length) refused.push(name);
    }
    // What the JSON Schema catches by itself; the rest (unknown names, cron semantics, globs) is `rules check`'s.
    expect(refused).toEqual(REFUSED_BY_SCHEMA);
  });
});

const REFUSED_BY_SCHEMA = [
  "bad-duration.yaml",
  "bad-email.yaml",
  "bad-level.yaml",
  "bad-quiet-hours.yaml",
  "bad-severity.yaml",
  "condition-outside-when.yaml",
  "empty.yaml",
  "many-mistakes.yaml",
  "missing-notify.yaml",
  "unknown-channel-type.yaml",
  "unknown-key.yaml",
];
