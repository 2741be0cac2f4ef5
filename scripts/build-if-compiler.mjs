#!/usr/bin/env node
// Builds dist/ with the TypeScript compiler when it is installed (`npm install`, `npm ci`), and
// says why it does not when it is not: a production install (`npm ci --omit=dev`) has no compiler
// and runs the dist/ that was built before it (see the README, "Production install").
// Plain JavaScript on purpose: it must run where only Node.js and the runtime dependencies are.
//   node scripts/build-if-compiler.mjs             the `prepare` script: skipping is fine
//   node scripts/build-if-compiler.mjs --need-dist the `start` script: no compiler and no dist/ is an error
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const needDist = process.argv.includes("--need-dist");

function compiler() {
  try {
    const require = createRequire(join(root, "package.json"));
    const pkgPath = require.resolve("typescript/package.json");
    const bin = require(pkgPath).bin?.tsc;
    return bin ? join(dirname(pkgPath), bin) : undefined;
  } catch {
    return undefined;
  }
}

const tsc = compiler();
// An unpacked package (npm pack) has dist/ but neither the sources nor tsconfig: nothing to build.
const sources = existsSync(join(root, "tsconfig.build.json")) && existsSync(join(root, "src"));
if (tsc && sources) {
  const run = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit", cwd: root });
  process.exit(run.status ?? 1);
}
if (existsSync(join(root, "dist", "main.js"))) {
  if (!needDist && !sources) console.error("stockwatch: no sources here (a packed package): dist/ as it is will run");
  else if (!needDist) console.error("stockwatch: the TypeScript compiler is not installed (a production install): not building, dist/ as it is will run");
  process.exit(0);
}
if (needDist) {
  console.error("stockwatch: dist/ is not built and the TypeScript compiler is not installed (npm ci --omit=dev):");
  console.error("build with the dev dependencies first (npm ci && npm run build), or install the package made by npm pack");
  process.exit(1);
}
console.error("stockwatch: the TypeScript compiler is not installed (a production install): not building; dist/ must be built before `npm start`");
