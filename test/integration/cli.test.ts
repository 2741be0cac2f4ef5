import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CliIo } from "../../src/cli/run-cli.js";
import { openDatabase } from "../../src/db/open-database.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import { systemClock } from "../../src/shared/clock.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";

function io(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  return {
    out: { write: (t: string) => (out += t) },
    err: { write: (t: string) => (err += t) },
    stdout: () => out,
    stderr: () => err,
  };
}

describe("stockwatch CLI", () => {
  it("prints help and refuses unknown commands", async () => {
    const a = io();
    expect(await runCli(["help"], {}, a)).toBe(0);
    expect(a.stdout()).toContain("rules check");
    const b = io();
    expect(await runCli(["frobnicate"], {}, b)).toBe(2); // a usage error
    expect(b.stderr()).toContain('unknown command "frobnicate"');
  });

  it("rules check: exit 0 with a summary for the shipped file, exit 1 with file:line:col for a broken one", async () => {
    const ok = io();
    expect(await runCli(["rules", "check", "config/rules.yaml"], {}, ok)).toBe(0);
    expect(ok.stdout()).toMatch(/config\/rules.yaml: ok — 2 channels, 3 rules, 1 digest/);
    const file = join(tempDir(), "rules.yaml");
    writeFileSync(file, "channels:\n  warehouse: { type: slack, channel: '#w' }\nrules:\n  - name: x\n    when: { level: soldOut }\n    notify: [warehose]\n");
    const bad = io();
    expect(await runCli(["rules", "check", file], {}, bad)).toBe(1);
    expect(bad.stderr() + bad.stdout()).toContain(`${file}:6:14: rules[0].notify[0]: unknown channel "warehose"`);
  });

  it("deliveries list and retry work on the configured database", async () => {
    const dbPath = tempDbPath();
    const db = openDatabase(dbPath);
    const outbox = createOutbox(db, systemClock);
    const { id } = outbox.enqueue({
      dedupeKey: "k1",
      channel: "warehouse",
      destination: { type: "slack", channel: "#warehouse" },
      body: { kind: "digest", digest: "d", subject: "s", text: "t", html: "<p>t</p>", periodFrom: 0, periodTo: 1 },
      notBefore: 0,
    });
    db.prepare("UPDATE outbox SET status = 'dead', last_error = 'channel_not_found' WHERE id = ?").run(id);
    db.close();
    const env = { STOCKWATCH_DB: dbPath };
    const list = io();
    expect(await runCli(["deliveries", "list", "--status", "dead"], env, list)).toBe(0);
    expect(list.stdout()).toContain("channel_not_found");
    const retry = io();
    expect(await runCli(["deliveries", "retry", String(id)], env, retry)).toBe(0);
    const after = openDatabase(dbPath);
    expect(after.prepare("SELECT status FROM outbox WHERE id = ?").get(id)).toEqual({ status: "pending" });
    after.close();
    const bad = io();
    expect(await runCli(["deliveries", "retry"], env, bad)).toBe(2); // a usage error
    expect(bad.stderr()).toContain("one delivery id");
  });

  it("rules test replays without sending and says so", async () => {
    const out = io();
    expect(await runCli(["rules", "test", "--since", "3d"], { STOCKWATCH_DB: tempDbPath() }, out)).toBe(0);
    expect(out.stdout()).toContain("nothing is sent");
    const bad = io();
    expect(await runCli(["rules", "test", "--since", "yesterday-ish"], { STOCKWATCH_DB: tempDbPath() }, bad)).toBe(2); // a usage error
    expect(bad.stderr()).toContain("--since");
  });
});

describe("stockwatch backup", () => {
  it("copies the database online into a file that opens on its own, and refuses to overwrite", async () => {
    const dbPath = tempDbPath();
    const db = openDatabase(dbPath);
    db.prepare("INSERT INTO cursors (name, position) VALUES ('x', 42)").run();
    const target = join(tempDir(), "copy.db");
    const out = io();
    expect(await runCli(["backup", target], { STOCKWATCH_DB: dbPath }, out)).toBe(0);
    expect(out.stdout()).toMatch(/backed up \d+ pages to/);
    db.close();
    const copy = openDatabase(target);
    expect(copy.prepare("SELECT position FROM cursors WHERE name = 'x'").get()).toEqual({ position: 42 });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    copy.close();
    const again = io();
    expect(await runCli(["backup", target], { STOCKWATCH_DB: dbPath }, again)).toBe(1);
    expect(again.stderr()).toContain("--force");
  });
});
