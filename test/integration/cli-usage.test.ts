import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../reliability/harness/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

/**
 * The real `stockwatch` binary (src/cli/main.ts through tsx, as the daemon harness starts
 * src/main.ts): --help everywhere without doing the work, --version, exit 2 for usage errors.
 */

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function stockwatch(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(PROJECT_ROOT, "src/cli/main.ts"), ...args],
      { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Runs each in parallel, a few at a time (the machine is shared). */
async function all(argvs: readonly (readonly string[])[], env: Record<string, string>): Promise<Run[]> {
  const results: Run[] = [];
  for (let i = 0; i < argvs.length; i += 4) results.push(...(await Promise.all(argvs.slice(i, i + 4).map((a) => stockwatch(a, env)))));
  return results;
}

/** Every command that does something: the CLI's contract (README, "CLI"). */
const COMMANDS = [
  "serve",
  "rules check",
  "rules test",
  "rules schema",
  "digest send",
  "sync",
  "deliveries list",
  "deliveries retry",
  "webhooks list",
  "webhooks register",
  "webhooks unregister",
  "webhooks rotate-key",
  "prune",
  "backup",
  "recover",
  "silence add",
  "silence list",
  "silence expire",
];
const GROUPS = ["rules", "digest", "deliveries", "webhooks", "silence"];

function setting() {
  const dir = tempDir();
  const dbPath = join(dir, "never.db");
  // A database that appears, or a call to this API, would mean a command did its work.
  return { dbPath, env: { STOCKWATCH_DB: dbPath, SHOPTET_API_URL: "http://127.0.0.1:9", SHOPTET_API_TOKEN: "t", STOCKWATCH_PORT: "0", LOG_LEVEL: "silent" } };
}

describe("stockwatch --help", () => {
  it("prints help and exits 0 on every command and subcommand, doing none of their work", { timeout: 240_000 }, async () => {
    const { dbPath, env } = setting();
    const paths = [...COMMANDS, ...GROUPS];
    const runs = await all(
      paths.flatMap((p) => [
        [...p.split(" "), "--help"],
        [...p.split(" "), "-h"],
      ]),
      env,
    );
    paths.forEach((path, i) => {
      for (const run of [runs[2 * i]!, runs[2 * i + 1]!]) {
        expect(run.code, `${path} --help: ${run.stderr}`).toBe(0);
        expect(run.stdout, path).toContain(`Usage: stockwatch ${path} `);
        expect(run.stdout, path).toContain("--help");
        expect(run.stderr, path).toBe("");
      }
    });
    expect(existsSync(dbPath)).toBe(false);
  });

  it("lists every command with its usage at the top, and `help <command>` is that command's --help", { timeout: 60_000 }, async () => {
    const { env } = setting();
    const [top, bare, help, helpCheck] = await all([["--help"], [], ["help"], ["help", "rules"]], env);
    expect(top!.code).toBe(0);
    for (const path of COMMANDS) expect(top!.stdout).toMatch(new RegExp(`^  ${path}( |$)`, "m"));
    expect(bare).toEqual(top);
    expect(help).toEqual(top);
    expect(helpCheck!.code).toBe(0);
    expect(helpCheck!.stdout).toContain("Usage: stockwatch rules <check|test|schema>");
  });

  it("--version prints package.json's version", { timeout: 60_000 }, async () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
    const [long, short] = await all([["--version"], ["-V"]], setting().env);
    expect(long).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect(short).toEqual(long);
  });
});

describe("stockwatch usage errors", () => {
  it.each([
    [["frobnicate"], 'stockwatch: unknown command "frobnicate"', "stockwatch --help"],
    [["serve", "--port", "80"], 'stockwatch serve: unknown option "--port"', "stockwatch serve --help"],
    [["rules", "check", "a.yaml", "b.yaml"], "stockwatch rules check: too many arguments", "stockwatch rules check --help"],
    [["rules", "lint"], 'stockwatch rules: unknown rules subcommand "lint"; use check, test or schema', "stockwatch rules --help"],
    [["rules"], "stockwatch rules: rules needs a subcommand: check, test or schema", "stockwatch rules --help"],
    [["digest", "send"], 'stockwatch digest send: missing required argument "name"', "stockwatch digest send --help"],
    [["sync", "--eshop", "abc"], 'stockwatch sync: --eshop takes an e-shop id (a number), got "abc"', "stockwatch sync --help"],
    [["deliveries", "list", "--limit", "0"], 'stockwatch deliveries list: --limit takes a number from 1 to 1000, got "0"', "stockwatch deliveries list --help"],
    [["deliveries", "list", "--status", "lost"], 'stockwatch deliveries list: --status takes one of pending, sending, sent, retrying, dead, unconfigured; got "lost"', "stockwatch deliveries list --help"],
    [["webhooks", "list", "--all"], 'stockwatch webhooks list: unknown option "--all"', "stockwatch webhooks list --help"],
    [["webhooks", "register", "--stock-only", "--all"], "choose one of --events <list>, --stock-only and --all", "stockwatch webhooks register --help"],
    [["prune"], "stockwatch prune: say how much to keep, e.g. --older-than 90d", "stockwatch prune --help"],
    [["prune", "--older-than"], 'stockwatch prune: option "--older-than <duration>" argument missing', "stockwatch prune --help"],
    [["backup"], 'stockwatch backup: missing required argument "file"', "stockwatch backup --help"],
    [["recover", "--since", "soon"], 'stockwatch recover: --since takes a duration like 30m, 24h or 7d, got "soon"', "stockwatch recover --help"],
    [["silence", "expire", "x"], 'silence expire takes one silence id (a number, see silence list), got "x"', "stockwatch silence expire --help"],
  ])("%j exits 2, says what is wrong and points at --help", { timeout: 60_000 }, async (args, message, pointer) => {
    const { dbPath, env } = setting();
    const run = await stockwatch(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(pointer);
    expect(run.stdout).toBe("");
    expect(existsSync(dbPath)).toBe(false);
  });

  it("a failure is exit 1, not 2", { timeout: 60_000 }, async () => {
    const run = await stockwatch(["rules", "check", join(tempDir(), "missing.yaml")], setting().env);
    expect(run.code).toBe(1);
  });
});
