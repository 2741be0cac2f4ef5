import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.js";
import { openDatabase } from "../../src/db/open-database.js";
import { SOLD_OUT_TO_SLACK } from "../helpers/rules-fixtures.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";

function io(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return { out: { write: (t: string) => (out += t) }, err: { write: (t: string) => (err += t) }, stdout: () => out, stderr: () => err };
}

function setup() {
  const rulesPath = join(tempDir(), "rules.yaml");
  writeFileSync(rulesPath, SOLD_OUT_TO_SLACK);
  const dbPath = tempDbPath();
  const env = { STOCKWATCH_DB: dbPath, STOCKWATCH_RULES: rulesPath, USER: "alice" };
  const cli = async (...args: string[]) => {
    const o = io();
    const code = await runCli(args, env, o);
    return { code, out: o.stdout(), err: o.stderr() };
  };
  const rows = () => {
    const db = openDatabase(dbPath);
    try {
      return db.prepare("SELECT * FROM silences ORDER BY id").all() as any[];
    } finally {
      db.close();
    }
  };
  return { cli, rows, dbPath };
}

describe("stockwatch silence", () => {
  it("adds, lists and expires a silence", async () => {
    const { cli, rows } = setup();
    const before = Date.now();
    const added = await cli("silence", "add", "--products", "KAV-*", "--products", "!KAV-TEST*", "--rule", "sold-out", "--for", "2d", "--reason", "stock-taking", "--eshop", "222651");
    expect(added).toMatchObject({ code: 0, err: "" });
    expect(added.out).toMatch(/^silence 1 added: KAV-\*, !KAV-TEST\* \(rule sold-out, e-shop 222651\), until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \(for 2d\)\n$/);
    const [row] = rows();
    expect(row).toMatchObject({ id: 1, products: '["KAV-*","!KAV-TEST*"]', rule: "sold-out", eshop_id: 222651, reason: "stock-taking", created_by: "alice", expired_at: null });
    expect(row.ends_at - row.created_at).toBe(2 * 86_400_000);
    expect(row.created_at).toBeGreaterThanOrEqual(before);

    await cli("silence", "add", "--products", "CAJ-1", "--for", "30m", "--reason", "recount");
    const listed = await cli("silence", "list");
    expect(listed.code).toBe(0);
    const lines = listed.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+PRODUCTS\s+RULE\s+REASON\s+ENDS\s+CREATED$/);
    // Soonest end first.
    expect(lines[1]).toMatch(/^2\s+CAJ-1\s+\*\s+recount\s+\S+Z\s+\S+Z by alice$/);
    expect(lines[2]).toMatch(/^1\s+KAV-\*, !KAV-TEST\* @222651\s+sold-out\s+stock-taking\s/);

    const expired = await cli("silence", "expire", "2");
    expect(expired).toMatchObject({ code: 0, err: "" });
    expect(expired.out).toContain("silence 2 expired");
    expect(rows()[1].expired_at).not.toBeNull();
    expect((await cli("silence", "list")).out).not.toContain("CAJ-1");
    const all = await cli("silence", "list", "--all");
    expect(all.out).toMatch(/\n2\s+CAJ-1\s.*\bexpired\n/);
    expect(all.out).toMatch(/\n1\s+KAV-\*.*\bactive\n/);

    // Expiring it again changes nothing and says so.
    const again = await cli("silence", "expire", "2");
    expect(again.code).toBe(0);
    expect(again.out).toContain("had already ended");
  });

  it("says when there are none", async () => {
    const { cli } = setup();
    expect((await cli("silence", "list")).out).toBe("no active silences (silence list --all shows ended ones)\n");
  });

  it.each([
    [["silence"], "silence needs a subcommand"],
    [["silence", "mute"], 'unknown silence subcommand "mute"'],
    [["silence", "add", "--for", "2d", "--reason", "x"], "--products"],
    [["silence", "add", "--products", "KAV-*", "--reason", "x"], "--for"],
    [["silence", "add", "--products", "KAV-*", "--for", "2d"], "--reason"],
    [["silence", "add", "--products", "KAV-*", "--for", "soon", "--reason", "x"], '--for takes a duration like 30m, 12h or 2d, got "soon"'],
    [["silence", "add", "--products", "KAV-[", "--for", "2d", "--reason", "x"], 'product glob "KAV-[": pattern "KAV-[" has "[" without a closing "]"'],
    [["silence", "add", "--products", "KAV-*", "--for", "2d", "--reason", "x", "--until", "friday"], "--until"],
    [["silence", "expire"], "silence expire takes one silence id"],
    [["silence", "expire", "abc"], 'got "abc"'],
  ])("exits 2 on %j, says what to fix, and adds nothing", async (args, message) => {
    const { cli, dbPath } = setup();
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).toContain("usage: stockwatch silence add");
    expect(r.out).toBe("");
    // Refused before the database was opened (and perhaps created).
    const { existsSync } = await import("node:fs");
    expect(existsSync(dbPath)).toBe(false);
  });

  it("exits 1 for an unknown id", async () => {
    const { cli } = setup();
    await cli("silence", "add", "--products", "KAV-*", "--for", "1h", "--reason", "x");
    const r = await cli("silence", "expire", "42");
    expect(r.code).toBe(1);
    expect(r.err).toContain("there is no silence 42");
  });

  it("warns (and still adds) when --rule names no rule of the rules file", async () => {
    const { cli, rows } = setup();
    const r = await cli("silence", "add", "--products", "KAV-*", "--rule", "sold-uot", "--for", "1h", "--reason", "x");
    expect(r.code).toBe(0);
    expect(r.err).toContain('has no rule "sold-uot" (did you mean "sold-out"?); the silence is added anyway');
    expect(rows()).toHaveLength(1);
  });

  it("is listed in stockwatch help", async () => {
    const { cli } = setup();
    const r = await cli("help");
    expect(r.out).toContain("silence add --products GLOB --for 2d --reason TEXT");
    expect(r.out).toContain("silence list [--all]");
    expect(r.out).toContain("silence expire ID");
  });
});
