import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * What `npm pack` puts in the package, checked on a copy of the tracked files built there (the
 * checkout's own dist/ may be missing or stale, and other tests may run it meanwhile).
 */
function packedFiles(): string[] {
  const copy = tempDir("stockwatch-pack-");
  for (const file of execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" }).split("\0").filter(Boolean)) {
    mkdirSync(join(copy, dirname(file)), { recursive: true });
    cpSync(file, join(copy, file));
  }
  symlinkSync(resolve("node_modules"), join(copy, "node_modules"));
  // the `prepare` script, as `npm install` runs it
  execFileSync(process.execPath, ["scripts/build-if-compiler.mjs"], { cwd: copy, stdio: "pipe" });
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: copy, encoding: "utf8" });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
}

describe("npm pack", () => {
  it("ships the built daemon and CLI, the example rules, the units and the papers; no sources or tests", { timeout: 60_000 }, () => {
    const files = packedFiles();
    for (const f of ["dist/main.js", "dist/cli/main.js", "dist/engine/engine-thread.js", "package.json", "README.md", "LICENSE", "CHANGELOG.md"]) {
      expect(files).toContain(f);
    }
    for (const f of ["config/rules.yaml", "deploy/systemd/stockwatch.service", "deploy/systemd/stockwatch-prune.timer", "scripts/build-if-compiler.mjs"]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(test|src|bench|\.ci)\//.test(f) || /^scripts\/.*\.ts$/.test(f) || f.endsWith(".test.js"))).toEqual([]);
    expect(files.filter((f) => /^(data\/|node_modules\/)/.test(f) || f.endsWith(".db"))).toEqual([]);
  });
});
