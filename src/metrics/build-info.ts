import { readFileSync } from "node:fs";

export interface BuildInfo {
  version: string;
  node: string;
}

/** package.json's version (two folders up from src/metrics and from dist/metrics alike) and the Node.js that runs it. */
export function readBuildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return { version: pkg.version, node: process.version };
}
