import nodeCron from "node-cron";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { createDigestScheduler, type DigestScheduler, type DigestSchedulerDeps } from "../../src/digest/digest-scheduler.js";
import type { DigestRun } from "../../src/digest/digest-store.js";
import { SqliteDigestRunStore } from "../../src/store/sqlite/digest-run-store.js";
import type { DigestRules } from "../../src/digest/run-digest.js";
import { createSqliteDigestSources } from "../../src/digest/sqlite-digest-sources.js";
import { createOutbox } from "../../src/outbox/create-outbox.js";
import type { DigestMessage } from "../../src/outbox/outbox-types.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { PERIOD, insertEvent, loadDigestRules, nov, scriptDay } from "../fixtures/digest/scripted-day.js";

const PRAGUE = "Europe/Prague";
let path: string;
let db: Db;
let rules: CompiledRules;
const schedulers: DigestScheduler[] = [];
const extraDbs: Db[] = [];

beforeEach(() => {
  path = tempDbPath();
  db = openDatabase(path);
  rules = loadDigestRules();
});
afterEach(async () => {
  while (schedulers.length) await schedulers.pop()!.stop();
  while (extraDbs.length) extraDbs.pop()!.close();
  db.close();
});

/** The test rules with only the named digests. */
function only(...names: string[]): DigestRules {
  return { timezone: rules.timezone, digests: rules.digests.filter((d) => names.includes(d.name)), channel: (n) => rules.channel(n) };
}

interface CronCall {
  expression: string;
  timezone: string | undefined;
  destroyed: boolean;
}

function scheduler(clock: FixedClock, getRules: () => DigestRules, extra: Partial<DigestSchedulerDeps> = {}, database: Db = db) {
  const crons: CronCall[] = [];
  const outbox = createOutbox(database, clock);
  const s = createDigestScheduler({
    db: database,
    clock,
    logger: silentLogger(),
    getRules,
    enqueue: (msg) => outbox.enqueue(msg),
    // node-cron only triggers runDue; these tests drive runDue with a fixed clock instead of waiting.
    cronSchedule: (expression, _fn, options) => {
      const call: CronCall = { expression, timezone: options.timezone, destroyed: false };
      crons.push(call);
      return { destroy: () => void (call.destroyed = true) };
    },
    ...extra,
  });
  schedulers.push(s);
  return { s, crons };
}

function digestMessages(database: Db = db): { dedupeKey: string; channel: string; body: DigestMessage }[] {
  return (database.prepare("SELECT dedupe_key, channel, body FROM outbox WHERE kind = 'digest' ORDER BY id").all() as {
    dedupe_key: string;
    channel: string;
    body: string;
  }[]).map((r) => ({ dedupeKey: r.dedupe_key, channel: r.channel, body: JSON.parse(r.body) as DigestMessage }));
}

function runs(name: string): DigestRun[] {
  return new SqliteDigestRunStore(db).list(name).reverse();
}

const pragueDay = (ms: number) => new Intl.DateTimeFormat("en-CA", { timeZone: PRAGUE }).format(ms);

describe("digest scheduler", () => {
  it("sends a scripted day's digest to every channel once, and nothing for the same period again", async () => {
    scriptDay(db);
    const clock = new FixedClock(nov(26, "06:00"));
    const { s } = scheduler(clock, () => only("morning"));
    expect(await s.runDue(nov(26, "06:00"))).toBe(0); // first seen: nothing due yet
    expect(await s.runDue(nov(26, "07:00"))).toBe(1); // first run: one interval back
    clock.set(nov(27, "07:00"));
    expect(await s.runDue(nov(27, "07:00"))).toBe(1);

    const messages = digestMessages().filter((m) => m.body.periodFrom === PERIOD.from);
    expect(messages.map((m) => [m.channel, m.dedupeKey])).toEqual([
      ["managers", `digest:morning:${PERIOD.from}:${PERIOD.to}:managers`],
      ["warehouse", `digest:morning:${PERIOD.from}:${PERIOD.to}:warehouse`],
    ]);
    const body = messages[0]!.body;
    expect(body).toMatchObject({ kind: "digest", digest: "morning", periodFrom: PERIOD.from, periodTo: PERIOD.to });
    expect(body.subject).toBe("4 sold out, 1 low, 1 failed delivery — morning digest, 27 Nov");
    for (const part of [body.text, body.html]) {
      expect(part).toContain("KAV-1");
      expect(part).toContain("CAJ-7");
      expect(part).toContain("KAV-9");
    }

    // The same slot again, later the same morning, and after a restart: nothing more.
    const before = digestMessages().length;
    expect(await s.runDue(nov(27, "07:00"))).toBe(0);
    expect(await s.runDue(nov(27, "07:45"))).toBe(0);
    const restarted = scheduler(clock, () => only("morning")).s;
    expect(await restarted.runDue(nov(27, "08:00"))).toBe(0);
    expect(digestMessages()).toHaveLength(before);
    expect(runs("morning").map((r) => [r.status, r.trigger, r.periodFrom, r.periodTo])).toEqual([
      ["queued", "schedule", nov(25, "07:00"), nov(26, "07:00")],
      ["queued", "schedule", PERIOD.from, PERIOD.to],
    ]);
  });

  it("catches up a run missed while the daemon was down ONCE at start, covering the whole gap", async () => {
    const clock = new FixedClock(nov(25, "07:00"));
    const first = scheduler(clock, () => only("morning")).s;
    expect(await first.runDue(nov(25, "07:00"))).toBe(1);
    await first.stop();

    // Down on the 26th and 27th at 07:00; back at 09:30 on the 27th.
    clock.set(nov(27, "09:30"));
    const { s, crons } = scheduler(clock, () => only("morning"));
    expect(await s.start()).toBe(1);
    expect(crons.map((c) => [c.expression, c.timezone])).toEqual([["0 7 * * *", PRAGUE]]);
    expect(await s.runDue(nov(27, "09:31"))).toBe(0);
    expect(await s.runDue(nov(27, "12:00"))).toBe(0);
    clock.set(nov(28, "07:00"));
    expect(await s.runDue(nov(28, "07:00"))).toBe(1);

    expect(runs("morning").map((r) => [r.trigger, r.periodFrom, r.periodTo])).toEqual([
      ["schedule", nov(24, "07:00"), nov(25, "07:00")],
      ["catch-up", nov(25, "07:00"), nov(27, "09:30")],
      ["schedule", nov(27, "09:30"), nov(28, "07:00")],
    ]);
    expect(digestMessages().filter((m) => m.channel === "managers")).toHaveLength(3);
  });

  it("does not fire a new digest for slots from before it was first scheduled", async () => {
    const clock = new FixedClock(nov(27, "09:30"));
    const { s } = scheduler(clock, () => only("morning"));
    expect(await s.start()).toBe(0);
    expect(digestMessages()).toHaveLength(0);
    expect(s.nextRuns()).toEqual([{ digest: "morning", at: nov(28, "07:00") }]);
  });

  for (const [label, days] of [
    ["spring-forward (29 Mar 2026)", ["2026-03-28", "2026-03-29", "2026-03-30"]],
    ["fall-back (25 Oct 2026)", ["2026-10-24", "2026-10-25", "2026-10-26"]],
  ] as const) {
    it(`sends exactly one digest per day around the ${label} in Europe/Prague`, async () => {
      const start = Date.parse(`${days[0]}T00:00:00Z`) - 2 * 3_600_000;
      const end = Date.parse(`${days[2]}T23:00:00Z`);
      const clock = new FixedClock(start);
      const { s } = scheduler(clock, () => only("morning", "night"));
      // Every 10 minutes, plus a millisecond either side of each slot, like timers firing early or late.
      const times = new Set<number>();
      for (let t = start; t <= end; t += 10 * 60_000) times.add(t);
      for (const day of days) {
        for (const wall of ["07:00", "02:30", "03:30"]) {
          const approx = Date.parse(`${day}T${wall}:00Z`);
          for (const shift of [-2, -1, 0, 1]) for (const d of [-1, 0, 1]) times.add(approx + shift * 3_600_000 + d);
        }
      }
      for (const t of [...times].sort((a, b) => a - b)) {
        clock.set(t);
        await s.runDue(t);
      }
      for (const name of ["morning", "night"]) {
        const done = runs(name).filter((r) => r.status === "queued" && r.slot !== null && r.slot >= Date.parse(`${days[0]}T00:00:00+01:00`));
        const perDay = new Map<string, number>();
        for (const r of done) perDay.set(pragueDay(r.slot!), (perDay.get(pragueDay(r.slot!)) ?? 0) + 1);
        expect(Object.fromEntries(perDay), name).toEqual(Object.fromEntries(days.map((d) => [d, 1])));
        // Periods follow each other without gaps or overlaps.
        const all = runs(name).filter((r) => r.status === "queued");
        for (let i = 1; i < all.length; i++) expect(all[i]!.periodFrom).toBe(all[i - 1]!.periodTo);
      }
      const wallOf = (ms: number) =>
        new Intl.DateTimeFormat("en-GB", { timeZone: PRAGUE, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(ms);
      expect(runs("morning").map((r) => wallOf(r.slot!))).toEqual(runs("morning").map(() => "07:00"));
      const nightSlots = runs("night").map((r) => [pragueDay(r.slot!), wallOf(r.slot!)]);
      // On the spring-forward night 02:30 does not exist: the digest goes at 03:30, once.
      expect(nightSlots).toContainEqual(days[1] === "2026-03-29" ? ["2026-03-29", "03:30"] : ["2026-10-25", "02:30"]);
    });
  }

  it("aims its safety timer at a slot node-cron skips on the spring-forward night", async () => {
    const clock = new FixedClock(Date.parse("2026-03-28T22:00:00Z"));
    const { s } = scheduler(clock, () => only("night"));
    expect(s.nextRuns()).toEqual([{ digest: "night", at: Date.parse("2026-03-29T01:30:00Z") }]); // 03:30 CEST
  });

  it("with skipEmpty sends nothing for an empty period, records it, and sends when something happens", async () => {
    const clock = new FixedClock(nov(25, "06:00"));
    const { s } = scheduler(clock, () => only("quiet"));
    await s.runDue(nov(25, "06:00"));
    expect(await s.runDue(nov(25, "07:00"))).toBe(1);
    expect(await s.runDue(nov(26, "07:00"))).toBe(1);
    expect(digestMessages()).toHaveLength(0);
    expect(runs("quiet").map((r) => r.status)).toEqual(["empty", "empty"]);

    insertEvent(db, { event: "order:create", at: nov(26, "12:00") });
    expect(await s.runDue(nov(27, "07:00"))).toBe(1);
    expect(digestMessages().map((m) => [m.channel, m.body.periodFrom, m.body.periodTo])).toEqual([["managers", nov(26, "07:00"), nov(27, "07:00")]]);
  });

  it("re-creates its cron jobs when the digests change, and only then", async () => {
    let current = only("morning");
    const clock = new FixedClock(nov(27, "09:00"));
    const { s, crons } = scheduler(clock, () => current);
    await s.start();
    s.reload();
    expect(crons).toHaveLength(1);
    current = only("morning", "weekdays");
    s.reload();
    expect(crons.map((c) => [c.expression, c.destroyed])).toEqual([
      ["0 7 * * *", true],
      ["0 7 * * *", false],
      ["0 7 * * 1-5", false],
    ]);
    await s.stop();
    expect(crons.every((c) => c.destroyed)).toBe(true);
  });

  it("starts and stops real node-cron jobs cleanly", async () => {
    const clock = new FixedClock(Date.now());
    const outbox = createOutbox(db, clock);
    const s = createDigestScheduler({ db, clock, logger: silentLogger(), getRules: () => only("morning", "night"), enqueue: (m) => outbox.enqueue(m) });
    schedulers.push(s);
    expect(await s.start()).toBe(0);
    expect(s.running()).toBe(true);
    expect([...nodeCron.getTasks().values()].map((t) => t.name).sort()).toEqual(["digest:morning", "digest:night"]);
    await s.stop();
    expect(s.running()).toBe(false);
    expect(nodeCron.getTasks().size).toBe(0);
  });

  it("records a failed build, sends nothing, and covers the failed period with the next run", async () => {
    const clock = new FixedClock(nov(25, "06:00"));
    let broken = true;
    const { s } = scheduler(clock, () => only("morning"), {
      sources: (scope) => {
        const real = createSqliteDigestSources(db, scope);
        return { ...real, eventCounts: (from, to) => (broken ? Promise.reject(new Error("disk I/O error")) : real.eventCounts(from, to)) };
      },
    });
    await s.runDue(nov(25, "06:00"));
    expect(await s.runDue(nov(25, "07:00"))).toBe(0);
    expect(digestMessages()).toHaveLength(0);
    expect(runs("morning").map((r) => [r.status, r.error])).toEqual([["failed", "disk I/O error"]]);

    broken = false;
    expect(await s.runDue(nov(26, "07:00"))).toBe(1);
    expect(runs("morning").at(-1)).toMatchObject({ status: "queued", periodFrom: nov(24, "07:00"), periodTo: nov(26, "07:00") });
  });

  it("sends a slot once when two processes run it at the same moment", async () => {
    const other = openDatabase(path);
    extraDbs.push(other);
    const clock = new FixedClock(nov(25, "07:00"));
    const a = scheduler(clock, () => only("morning")).s;
    const b = scheduler(clock, () => only("morning"), {}, other).s;
    const counts = await Promise.all([a.runDue(nov(25, "07:00")), b.runDue(nov(25, "07:00"))]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(digestMessages()).toHaveLength(2); // managers + warehouse, once
  });
});
