import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadRulesFile } from "../../src/rules/load-rules.js";
import type { CompiledRules, RuleError } from "../../src/rules/rules-types.js";
import { watchRules, type RulesWatcher } from "../../src/rules/watch-rules.js";
import { tempDir } from "../helpers/temp-dir.js";

const core = readFileSync("test/fixtures/rules/core.yaml", "utf8");
let watcher: RulesWatcher | undefined;
afterEach(() => watcher?.close());

/** Starts a watcher on a copy of the core example; resolves each callback as it arrives. */
function start() {
  const dir = tempDir();
  const file = join(dir, "rules.yaml");
  writeFileSync(file, core);
  const initial = loadRulesFile(file);
  if (!initial.ok) throw new Error("core example invalid");
  const valid: CompiledRules[] = [];
  const invalid: RuleError[][] = [];
  let wake: () => void = () => {};
  const next = () => new Promise<void>((resolve) => (wake = resolve));
  watcher = watchRules(
    file,
    (rules) => (valid.push(rules), wake()),
    (errors) => (invalid.push(errors), wake()),
    { debounceMs: 20, current: initial.rules },
  );
  return { file, dir, valid, invalid, next, initial: initial.rules };
}

describe("hot reload of the rules file", () => {
  it("applies a valid edit, refuses a broken one with the check's errors, and keeps the last good rules", async () => {
    const { file, valid, invalid, next, initial } = start();

    let arrived = next();
    writeFileSync(file, core.replace("repeat: 12h", "repeat: 6h"));
    await arrived;
    expect(valid).toHaveLength(1);
    expect(valid[0]!.rule("coffee-running-low")).toMatchObject({ repeatMs: 6 * 3_600_000 });
    expect(watcher!.current()).toBe(valid[0]);
    expect(watcher!.current()).not.toBe(initial);

    arrived = next();
    writeFileSync(file, core.replace("notify: [warehouse]", "notify: [warehose]"));
    await arrived;
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.map((e) => `${e.line}:${e.col}: ${e.message}`)).toEqual([
      `15:14: unknown channel "warehose" (defined: warehouse, managers); did you mean "warehouse"?`,
    ]);
    expect(watcher!.current()).toBe(valid[0]);
  });

  it("sees a file replaced by rename (how editors save), and reload() re-reads on demand (SIGHUP)", async () => {
    const { file, dir, valid, next } = start();
    const arrived = next();
    const tmp = join(dir, ".rules.yaml.swp");
    writeFileSync(tmp, core.replace("severity: critical", "severity: info"));
    renameSync(tmp, file);
    await arrived;
    expect(valid.at(-1)!.rule("sold-out")!.severity).toBe("info");

    watcher!.close();
    const manual: CompiledRules[] = [];
    watcher = watchRules(file, (r) => manual.push(r), () => {}, { watch: () => ({ close() {} }) });
    watcher.reload();
    expect(manual).toHaveLength(1);
    watcher.reload();
    expect(manual).toHaveLength(1); // unchanged text is not applied twice
  });
});
