import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDigestSend, type Output } from "../../src/cli/commands/digest.js";
import { runCli } from "../../src/cli/run-cli.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { createDigestScheduler } from "../../src/digest/digest-scheduler.js";
import { SqliteDigestRunStore } from "../../src/store/sqlite/digest-run-store.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";
import { PERIOD, loadDigestRules, nov, scriptDay } from "../fixtures/digest/scripted-day.js";

const RULES_FILE = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/digest/rules.yaml");

class Capture implements Output {
  text = "";
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

let path: string;
let db: Db;
let rules: CompiledRules;
let out: Capture;
let err: Capture;

beforeEach(() => {
  path = tempDbPath();
  db = openDatabase(path);
  scriptDay(db);
  rules = loadDigestRules();
  out = new Capture();
  err = new Capture();
});
afterEach(() => {
  if (db.open) db.close();
});

const outboxDigests = () => db.prepare("SELECT dedupe_key, channel FROM outbox WHERE kind = 'digest' ORDER BY id").all() as { dedupe_key: string; channel: string }[];
const iso = (ms: number) => new Date(ms).toISOString();

describe("stockwatch digest send", () => {
  it("exits 1 for an unknown digest, naming it and the ones defined", async () => {
    const code = await runDigestSend({ db, rules, name: "evening", clock: new FixedClock(PERIOD.to) }, out, err);
    expect(code).toBe(1);
    expect(err.text).toContain('unknown digest "evening"');
    expect(err.text).toContain('"morning"');
    expect(err.text).toContain('"coffee"');
    expect(outboxDigests()).toHaveLength(0);
  });

  it("says how to add one when the rules file has no digests", async () => {
    const none = { timezone: rules.timezone, digests: [], channel: () => undefined };
    expect(await runDigestSend({ db, rules: none, name: "morning", clock: new FixedClock(PERIOD.to) }, out, err)).toBe(1);
    expect(err.text).toContain('defines no digests; add one under "digests:"');
  });

  it("with --dry-run prints the text part, writes the HTML, and sends and records nothing", async () => {
    const htmlPath = join(tempDir(), "digest.html");
    const code = await runDigestSend(
      { db, rules, name: "morning", dryRun: true, from: iso(PERIOD.from), to: iso(PERIOD.to), htmlPath, clock: new FixedClock(PERIOD.to) },
      out,
      err,
    );
    expect(code).toBe(0);
    expect(out.text).toContain("Subject: 4 sold out, 1 low, 1 failed delivery — morning digest, 27 Nov");
    expect(out.text).toContain("SOLD OUT NOW: 4");
    expect(out.text).toContain("KAV-1 Colombia 250 g");
    expect(err.text).toContain("dry run: nothing was sent");
    expect(readFileSync(htmlPath, "utf8")).toContain("Colombia 250 g");
    expect(outboxDigests()).toHaveLength(0);
    expect(new SqliteDigestRunStore(db).list("morning")).toHaveLength(0);
  });

  it("queues the digest for every channel, and does not queue the same period twice", async () => {
    const options = { db, rules, name: "morning", from: iso(PERIOD.from), to: iso(PERIOD.to), clock: new FixedClock(PERIOD.to) };
    expect(await runDigestSend(options, out, err)).toBe(0);
    expect(out.text).toContain('queued digest "morning" for managers, warehouse: 4 sold out, 1 low');
    expect(outboxDigests()).toEqual([
      { dedupe_key: `digest:morning:${PERIOD.from}:${PERIOD.to}:managers`, channel: "managers" },
      { dedupe_key: `digest:morning:${PERIOD.from}:${PERIOD.to}:warehouse`, channel: "warehouse" },
    ]);
    const again = new Capture();
    expect(await runDigestSend(options, again, err)).toBe(0);
    expect(again.text).toContain("this period was already sent; nothing sent again");
    expect(outboxDigests()).toHaveLength(2);
  });

  it("defaults to the period since the last scheduled run, and does not move the schedule", async () => {
    const clock = new FixedClock(nov(26, "07:00"));
    const outbox = createOutbox(db, clock);
    const scheduler = createDigestScheduler({ db, clock, logger: silentLogger(), getRules: () => rules, enqueue: (m) => outbox.enqueue(m) });
    await scheduler.runDue(nov(26, "07:00")); // first seen
    clock.set(nov(27, "07:00"));
    await scheduler.runDue(nov(27, "07:00"));
    const scheduled = outboxDigests().length;

    clock.set(nov(27, "15:00"));
    expect(await runDigestSend({ db, rules, name: "morning", clock }, out, err)).toBe(0);
    const manual = new SqliteDigestRunStore(db).list("morning")[0]!;
    expect(manual).toMatchObject({ trigger: "manual", slot: null, periodFrom: nov(27, "07:00"), periodTo: nov(27, "15:00") });
    expect(outboxDigests()).toHaveLength(scheduled + 2);

    clock.set(nov(28, "07:00"));
    await scheduler.runDue(nov(28, "07:00"));
    expect(new SqliteDigestRunStore(db).list("morning")[0]).toMatchObject({ trigger: "schedule", periodFrom: nov(27, "07:00"), periodTo: nov(28, "07:00") });
    await scheduler.stop();
  });

  it("sends a digest even when skipEmpty would skip it, when asked by hand", async () => {
    const empty = openDatabase(tempDbPath());
    try {
      const code = await runDigestSend({ db: empty, rules, name: "quiet", clock: new FixedClock(PERIOD.to) }, out, err);
      expect(code).toBe(0);
      expect((empty.prepare("SELECT count(*) AS n FROM outbox").get() as { n: number }).n).toBe(1);
    } finally {
      empty.close();
    }
  });

  it("refuses a time it cannot read, or an empty period", async () => {
    expect(await runDigestSend({ db, rules, name: "morning", from: "yesterday", clock: new FixedClock(PERIOD.to) }, out, err)).toBe(1);
    expect(err.text).toContain('--from "yesterday" is not a time');
    const err2 = new Capture();
    expect(await runDigestSend({ db, rules, name: "morning", from: iso(PERIOD.to), to: iso(PERIOD.from), clock: new FixedClock(PERIOD.to) }, out, err2)).toBe(1);
    expect(err2.text).toContain("the period is empty");
    expect(outboxDigests()).toHaveLength(0);
  });
});

describe("digest command line", () => {
  const env = () => ({ STOCKWATCH_DB: path, STOCKWATCH_RULES: RULES_FILE, LOG_LEVEL: "silent" });
  const cli = (args: string[], o: Capture, e: Capture) => runCli(["digest", ...args], env(), { out: o, err: e }, { clock: new FixedClock(PERIOD.to) });

  it("parses send with its flags, and refuses a wrong command line with exit 2", async () => {
    db.close();
    const htmlPath = join(tempDir(), "flags.html");
    const flags = ["send", "morning", "--dry-run", "--html", htmlPath, "--from", iso(PERIOD.from), "--to", iso(PERIOD.to)];
    expect(await cli(flags, out, err)).toBe(0);
    expect(out.text).toMatch(/^Subject: /);
    expect(err.text).toContain(`dry run: nothing was sent; HTML written to ${htmlPath}`);
    expect(existsSync(htmlPath)).toBe(true);
    const cases: [string[], string][] = [
      [["send"], 'missing required argument "name"'],
      [["show", "morning"], 'unknown digest subcommand "show"'],
      [["send", "morning", "--nope"], 'unknown option "--nope"'],
    ];
    for (const [args, message] of cases) {
      const e = new Capture();
      expect(await cli(args, new Capture(), e), args.join(" ")).toBe(2);
      expect(e.text).toContain(message);
      expect(e.text).toContain("usage: stockwatch digest send <name>");
    }
  });

  it("runs from the environment: database and rules file paths", async () => {
    db.close();
    const htmlPath = join(tempDir(), "out.html");
    expect(await cli(["send", "nope"], out, err)).toBe(1);
    expect(err.text).toContain('unknown digest "nope"');
    expect(await cli(["send", "morning", "--dry-run", "--html", htmlPath], out, err)).toBe(0);
    expect(out.text).toContain("morning digest");
    expect(existsSync(htmlPath)).toBe(true);
    const err2 = new Capture();
    expect(await cli(["send"], out, err2)).toBe(2); // a usage error
    expect(err2.text).toContain("usage: stockwatch digest send <name>");
  });
});
