import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { runPrune } from "../../src/cli/commands/prune.js";
import { runCli } from "../../src/cli/run-cli.js";
import { FixedClock } from "../../src/shared/clock.js";
import { m0006 } from "../../src/db/migrations/0006-forecast.js";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { tempDbPath, tempDir } from "../helpers/temp-dir.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-27T06:00:00Z");
const ago = (days: number) => NOW - days * DAY;
const ESHOP = 222651;

function open(path = tempDbPath()): Db {
  const db = openDatabase(path);
  // Forecast tables (migration 0006) may not be in the migration list yet; the prune handles both.
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'forecast_daily'").get()) db.exec(m0006.sql);
  return db;
}

function event(db: Db, at: number, event = "order:create", instance = "X"): number {
  return Number(
    db
      .prepare(
        `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at, dedupe_key, known, raw)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
      )
      .run(ESHOP, event, instance, new Date(at).toISOString(), at, at, randomBytes(16), Buffer.from("{}")).lastInsertRowid,
  );
}

function job(db: Db, status: string, at: number, eventId: number | null): number {
  return Number(
    db
      .prepare(
        `INSERT INTO jobs (kind, eshop_id, subject, event_id, status, run_at, created_at, updated_at)
         VALUES ('movement-read', ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(ESHOP, `s${Math.random()}`, eventId, status, at, at, at).lastInsertRowid,
  );
}

function alert(db: Db, opts: { state: "open" | "resolved"; openedAt: number; resolvedAt?: number; eventId?: number; subject?: string }): number {
  return Number(
    db
      .prepare(
        `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, resolved_at, last_values, event_id, updated_at)
         VALUES ('r', 'c', ?, ?, ?, 'warning', ?, ?, ?, '{}', ?, ?)`,
      )
      .run(
        opts.eventId === undefined ? "stock" : "event",
        ESHOP,
        opts.subject ?? `S${Math.random()}`,
        opts.state,
        opts.openedAt,
        opts.resolvedAt ?? null,
        opts.eventId ?? null,
        opts.resolvedAt ?? opts.openedAt,
      ).lastInsertRowid,
  );
}

function slackThread(db: Db, alertId: number, at: number): number {
  const id = Number(
    db
      .prepare("INSERT INTO slack_messages (channel, channel_id, ts, entries, created_at, updated_at) VALUES ('#w', 'C1', ?, '[]', ?, ?)")
      .run(`${alertId}.0001`, at, at).lastInsertRowid,
  );
  db.prepare("INSERT INTO slack_incidents (incident_key, channel, slack_message_id) VALUES (?, '#w', ?)").run(`alert:${alertId}`, id);
  return id;
}

function delivery(db: Db, status: string, at: number): number {
  return Number(
    db
      .prepare(
        `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, status, max_attempts,
                             not_before, next_attempt_at, created_at, updated_at, sent_at)
         VALUES (?, 'w', 'slack', '{}', 'slack:#w', 'alert', '{}', 's', ?, 5, ?, ?, ?, ?, ?)`,
      )
      .run(randomBytes(8).toString("hex"), status, at, at, at, at, status === "sent" ? at : null).lastInsertRowid,
  );
}

let movementId = 1;
function movement(db: Db, at: number, code = "KAV-1"): void {
  db.prepare(
    `INSERT INTO stock_movements (eshop_id, stock_id, movement_id, code, amount_change_milli, changed_by, change_time, applied_at)
     VALUES (?, 1, ?, ?, -1000, 'customer', ?, ?)`,
  ).run(ESHOP, movementId++, code, at, at);
}

function levelChange(db: Db, code: string, to: string, at: number): number {
  return Number(
    db
      .prepare(
        `INSERT INTO stock_level_changes (eshop_id, code, from_level, to_level, quantity_milli, at, cause_event)
         VALUES (?, ?, NULL, ?, 0, ?, 'stock:movement')`,
      )
      .run(ESHOP, code, to, at).lastInsertRowid,
  );
}

function digestRun(db: Db, digest: string, opts: { slot: number | null; status: string; from: number; to: number }): number {
  return Number(
    db
      .prepare(
        `INSERT INTO digest_runs (digest, slot, trigger, period_from, period_to, status, created_at)
         VALUES (?, ?, 'schedule', ?, ?, ?, ?)`,
      )
      .run(digest, opts.slot, opts.from, opts.to, opts.status, opts.to).lastInsertRowid,
  );
}

const ids = (db: Db, table: string) => (db.prepare(`SELECT id FROM ${table} ORDER BY id`).all() as { id: number }[]).map((r) => r.id);
const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function capture() {
  let text = "";
  return { out: { write: (t: string) => (text += t) }, text: () => text };
}

describe("stockwatch prune", () => {
  it("deletes old history and keeps what open alerts, unfinished jobs, the feed and the forecasts need", async () => {
    const db = open();
    const oldPlain = event(db, ago(100));
    const oldDoneJob = event(db, ago(100), "stock:movement", "1");
    const doneJob = job(db, "done", ago(100), oldDoneJob);
    const oldPendingJob = event(db, ago(100), "stock:movement", "2");
    const pendingJob = job(db, "pending", ago(100), oldPendingJob);
    const oldOpenAlert = event(db, ago(120), "order:cancel", "2026000001");
    const openEventAlert = alert(db, { state: "open", openedAt: ago(120), eventId: oldOpenAlert });
    const oldResolvedAlertEvent = event(db, ago(120), "order:cancel", "2026000002");
    const resolvedOld = alert(db, { state: "resolved", openedAt: ago(120), resolvedAt: ago(119), eventId: oldResolvedAlertEvent });
    // finished, but only 5 days ago (it was retried late): its event stays while the job row does
    const lateDone = event(db, ago(100), "stock:movement", "3");
    const lateJob = job(db, "done", ago(5), lateDone);
    const recent = event(db, ago(10));
    const oldUnread = event(db, ago(95));
    // the rules feed has read everything up to (not including) oldUnread
    db.prepare("INSERT INTO cursors (name, position) VALUES ('event-rules', ?)").run(oldUnread - 1);
    const orphanDone = job(db, "done", ago(100), null);
    const deadJob = job(db, "dead", ago(100), null);

    const openStock = alert(db, { state: "open", openedAt: ago(200) });
    const openThread = slackThread(db, openStock, ago(200));
    const resolvedThread = slackThread(db, resolvedOld, ago(119));
    const resolvedRecent = alert(db, { state: "resolved", openedAt: ago(20), resolvedAt: ago(5) });

    const sentOld = delivery(db, "sent", ago(100));
    const sentRecent = delivery(db, "sent", ago(3));
    const deadOld = delivery(db, "dead", ago(100));
    const pendingOld = delivery(db, "pending", ago(100));
    const unconfiguredOld = delivery(db, "unconfigured", ago(100));

    movement(db, ago(100));
    movement(db, ago(91));
    movement(db, ago(89));

    const a1 = levelChange(db, "KAV-1", "soldOut", ago(200));
    const a2 = levelChange(db, "KAV-1", "ok", ago(150));
    const a3 = levelChange(db, "KAV-1", "low", ago(100));
    const a4 = levelChange(db, "KAV-1", "ok", ago(5));
    const b1 = levelChange(db, "TEA-1", "soldOut", ago(300));
    db.prepare("INSERT INTO forecast_daily (eshop_id, code, day, out_customer) VALUES (?, 'TEA-9', ?, 1000), (?, 'TEA-9', ?, 1000)").run(
      ESHOP,
      Math.floor(ago(100) / DAY),
      ESHOP,
      Math.floor(ago(10) / DAY),
    );
    db.prepare("INSERT INTO alert_cooldowns (rule, eshop_id, subject, rule_checksum, last_fired_at) VALUES ('r', ?, 'o1', 'c', ?), ('r', ?, 'o2', 'c', ?)").run(
      ESHOP,
      ago(100),
      ESHOP,
      ago(1),
    );

    const { out, text } = capture();
    const code = await runPrune({ db, olderThanMs: 90 * DAY, now: NOW, forecastWindowDays: 28, batchSize: 2, pauseMs: 0 }, out);
    expect(code).toBe(0);

    expect(ids(db, "events")).toEqual([oldPendingJob, oldOpenAlert, lateDone, recent, oldUnread]);
    expect(ids(db, "events")).not.toContain(oldPlain);
    expect(ids(db, "events")).not.toContain(oldDoneJob);
    expect(ids(db, "jobs")).toEqual([pendingJob, lateJob, deadJob]);
    expect(ids(db, "jobs")).not.toContain(doneJob);
    expect(ids(db, "jobs")).not.toContain(orphanDone);
    expect(ids(db, "alerts")).toEqual([openEventAlert, openStock, resolvedRecent]);
    expect(ids(db, "slack_messages")).toEqual([openThread]);
    expect(ids(db, "slack_messages")).not.toContain(resolvedThread);
    expect(count(db, "slack_incidents")).toBe(1);
    expect(ids(db, "outbox")).toEqual([sentRecent, deadOld, pendingOld, unconfiguredOld]);
    expect(ids(db, "outbox")).not.toContain(sentOld);
    expect((db.prepare("SELECT change_time FROM stock_movements ORDER BY change_time").all() as { change_time: number }[]).map((r) => r.change_time)).toEqual([
      ago(89),
    ]);
    // the newest change before the cutoff per product stays: it says what level the product was in
    expect(ids(db, "stock_level_changes")).toEqual([a3, a4, b1]);
    expect(ids(db, "stock_level_changes")).not.toContain(a1);
    expect(ids(db, "stock_level_changes")).not.toContain(a2);
    expect((db.prepare("SELECT day FROM forecast_daily WHERE code = 'TEA-9'").all() as { day: number }[]).map((r) => r.day)).toEqual([Math.floor(ago(10) / DAY)]);
    // the movements' own daily rows (written by the trigger) follow the same window
    expect((db.prepare("SELECT day FROM forecast_daily WHERE code = 'KAV-1'").all() as { day: number }[]).map((r) => r.day)).toEqual([Math.floor(ago(89) / DAY)]);
    expect(count(db, "alert_cooldowns")).toBe(1);
    // foreign keys are back on for the connection, and nothing points at a deleted row
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("foreign_key_check")).toEqual([]);

    const line = text();
    expect(line.split("\n").filter(Boolean)).toHaveLength(1);
    expect(line).toContain("pruned what is older than 90d (before 2026-08-29T06:00:00.000Z): 3 events, 2 finished jobs, 1 sent deliveries, 1 resolved alerts");
    expect(line).toContain("2 stock movements, 2 level changes");
    expect(line).toContain("kept 4 older events still needed");
    expect(line).toContain(`sqlite3 ${db.name} VACUUM`);

    // A second run finds nothing more to delete.
    const again = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW, forecastWindowDays: 28 }, again.out);
    expect(again.text()).toContain(": 0 events, 0 finished jobs, 0 sent deliveries, 0 resolved alerts");
    db.close();
  });

  it("keeps the level changes and daily sales a long forecast window needs", async () => {
    const db = open();
    const old = levelChange(db, "KAV-1", "soldOut", ago(200));
    const older = levelChange(db, "KAV-1", "ok", ago(300));
    db.prepare("INSERT INTO forecast_daily (eshop_id, code, day, out_customer) VALUES (?, 'TEA-9', ?, 1000)").run(ESHOP, Math.floor(ago(200) / DAY));
    const { out } = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW }, out); // default window: 365 days
    expect(ids(db, "stock_level_changes")).toEqual([old, older]);
    expect(count(db, "forecast_daily")).toBe(1);
    db.close();
  });

  it("deletes old daily sales of many products in batches along the key, none inside the window", async () => {
    const db = open();
    const insert = db.prepare("INSERT INTO forecast_daily (eshop_id, code, day, out_customer) VALUES (?, ?, ?, 1000)");
    for (let p = 0; p < 30; p++) for (let d = 1; d <= 130; d++) insert.run(ESHOP + (p % 2), `P-${p}`, Math.floor(ago(d) / DAY));
    const { out, text } = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW, forecastWindowDays: 28, batchSize: 7, pauseMs: 0 }, out);
    // The period cutoff (90 days) is older than the forecast window here, so it decides.
    const cut = Math.floor(ago(90) / DAY);
    expect(count(db, "forecast_daily")).toBe(30 * 90);
    expect(db.prepare("SELECT count(*) AS n FROM forecast_daily WHERE day < ?").get(cut)).toEqual({ n: 0 });
    expect(text()).toMatch(/transactions, the longest \d+ ms/);
    db.close();
  });

  it("deletes silences that ended before the cutoff, unless an alert still names one", async () => {
    const db = open();
    const silence = (endedDaysAgo: number) =>
      Number(
        db
          .prepare("INSERT INTO silences (products, reason, created_by, created_at, ends_at) VALUES ('[\"KAV-*\"]', 'stock-taking', 'cli', ?, ?)")
          .run(ago(endedDaysAgo + 2), ago(endedDaysAgo)).lastInsertRowid,
      );
    const old = silence(200);
    const named = silence(150);
    const recent = silence(10);
    db.prepare(
      `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, last_notified_at, reminders, suppressed, last_values, updated_at, silenced_by)
       VALUES ('sold-out', 'x', 'stock', ?, 'KAV-1', 'critical', 'open', ?, ?, 0, 0, '{}', ?, ?)`,
    ).run(ESHOP, ago(151), ago(151), ago(151), named);
    const { out, text } = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW }, out);
    expect((db.prepare("SELECT id FROM silences ORDER BY id").all() as { id: number }[]).map((r) => r.id)).toEqual([named, recent]);
    expect(text()).toContain("1 ended silences");
    expect(old).toBeLessThan(named);
    db.close();
  });

  it("keeps what a digest's next period will read, and each digest's last run", async () => {
    const db = open();
    // "weekly" last ran 100 days ago: its next period starts there.
    const firstWeekly = digestRun(db, "weekly", { slot: ago(107), status: "queued", from: ago(114), to: ago(107) });
    const lastWeekly = digestRun(db, "weekly", { slot: ago(100), status: "queued", from: ago(107), to: ago(100) });
    const manual = digestRun(db, "weekly", { slot: null, status: "queued", from: ago(130), to: ago(120) });
    const e95 = event(db, ago(95));
    const e105 = event(db, ago(105));
    const r95 = alert(db, { state: "resolved", openedAt: ago(96), resolvedAt: ago(95) });
    movement(db, ago(95));

    const { out, text } = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW, pauseMs: 0 }, out);
    expect(ids(db, "events")).toEqual([e95]);
    expect(ids(db, "events")).not.toContain(e105);
    expect(ids(db, "alerts")).toEqual([r95]);
    expect(count(db, "stock_movements")).toBe(1);
    expect(ids(db, "digest_runs")).toEqual([lastWeekly]);
    expect(ids(db, "digest_runs")).not.toContain(firstWeekly);
    expect(ids(db, "digest_runs")).not.toContain(manual);
    expect(text()).toContain(`history since ${new Date(ago(100)).toISOString()} for the next period of digest "weekly"`);

    // Once "weekly" is gone from the rules file, it holds nothing back.
    const again = capture();
    await runPrune({ db, olderThanMs: 90 * DAY, now: NOW, digests: ["morning"], pauseMs: 0 }, again.out);
    expect(ids(db, "events")).toEqual([]);
    expect(ids(db, "alerts")).toEqual([]);
    db.close();
  });

  it("works in batches and lets another connection write between them", async () => {
    const path = tempDbPath();
    const db = open(path);
    for (let i = 0; i < 50; i++) event(db, ago(100));
    const other = new Database(path);
    other.pragma("busy_timeout = 0"); // any lock held across batches would fail this write at once
    let finished = false;
    const pruning = runPrune({ db, olderThanMs: 90 * DAY, now: NOW, batchSize: 5, pauseMs: 2 }, capture().out).then((code) => {
      finished = true;
      return code;
    });
    await new Promise((r) => setTimeout(r, 1));
    expect(finished).toBe(false);
    other.prepare("INSERT INTO heartbeat (name, at) VALUES ('other', 1)").run();
    expect(await pruning).toBe(0);
    expect(count(db, "events")).toBe(0);
    expect(count(db, "heartbeat")).toBe(1);
    other.close();
    db.close();
  });

  it("the command reads the rules file, refuses a missing or tiny duration, and prints the summary", async () => {
    const dir = tempDir();
    const dbPath = join(dir, "sw.db");
    const rulesPath = join(dir, "rules.yaml");
    writeFileSync(
      rulesPath,
      `timezone: Europe/Prague
channels:
  managers: { type: email, to: [m@example.com] }
rules: []
digests:
  - name: morning
    schedule: "0 7 * * *"
    notify: [managers]
`,
    );
    const db = open(dbPath);
    event(db, ago(100));
    digestRun(db, "removed-digest", { slot: ago(200), status: "queued", from: ago(201), to: ago(200) });
    db.close();
    const env = { STOCKWATCH_DB: dbPath, STOCKWATCH_RULES: rulesPath };

    const prune = (args: string[], c: ReturnType<typeof capture>) =>
      runCli(["prune", ...args], env, { out: c.out, err: c.out }, { clock: new FixedClock(NOW) });
    // usage errors exit 2
    const missing = capture();
    expect(await prune([], missing)).toBe(2);
    expect(missing.text()).toContain("--older-than 90d");
    const bad = capture();
    expect(await prune(["--older-than", "90"], bad)).toBe(2);
    expect(bad.text()).toContain('takes a duration like 90d or 12h, got "90"');
    const tiny = capture();
    expect(await prune(["--older-than", "2h"], tiny)).toBe(2);
    expect(tiny.text()).toContain("at least 1d");

    const ok = capture();
    expect(await prune(["--older-than", "90d"], ok)).toBe(0);
    // the digest no longer in the rules file holds nothing back
    expect(ok.text()).toMatch(/^pruned what is older than 90d .*: 1 events/);
    expect(ok.text()).not.toContain("removed-digest");
  });
});
