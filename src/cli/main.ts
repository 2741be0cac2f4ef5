#!/usr/bin/env node
import { runCli } from "./run-cli.js";

/** The `stockwatch` binary. */
runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`stockwatch: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
