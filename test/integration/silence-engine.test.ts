import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open-database.js";
import type { AlertMessage, NewOutboxMessage } from "../../src/outbox/outbox-types.js";
import { listAlerts } from "../../src/store/sqlite/alert-store.js";
import { createRulesEngine } from "../../src/rules/rules-engine.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createActiveSilences, silenceGate } from "../../src/silences/silence-gate.js";
import { createSilenceRelease } from "../../src/silences/silence-release.js";
import { SqliteSilenceStore } from "../../src/store/sqlite/silence-store.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { change, makeRules, snapshot } from "../helpers/make-rules.js";

/**
 * The engine with the silence gate and release on a real SQLite file and a fixed clock: what is
 * said, and when, around a silence (its time running out with no write at all, reminders, resolves).
 */

const H = 3_600_000;
const T0 = Date.parse("2026-01-15T10:00:00Z");

const RULES = `  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
    repeat: 2h
  - name: coffee-low
    when: { products: ["KAV-*"], quantity: { below: 20 } }
    notify: [warehouse]
    suppressWhenSoldOut: false
`;

function setup(options: { slackActions?: boolean } = {}) {
  const db = openDatabase(tempDbPath());
  const clock = new FixedClock(T0);
  const sent: NewOutboxMessage[] = [];
  const rules = makeRules(RULES);
  const silences = createActiveSilences(db);
  const enqueue = (m: NewOutboxMessage) => void sent.push(m);
  const engine = createRulesEngine({ db, clock, logger: silentLogger(), getRules: () => rules, enqueue: silenceGate({ db, clock, logger: silentLogger(), silences, enqueue }) });
  const release = createSilenceRelease({ db, clock, logger: silentLogger(), getRules: () => rules, silences, enqueue, ...options });
  const repo = new SqliteSilenceStore(db);
  const silence = (products: string[], forMs: number, rule: string | null = null) =>
    repo.add({ products, rule, eshopId: null, reason: "stock-taking", createdBy: "test", createdAt: clock.now(), endsAt: clock.now() + forMs }).id;
  const said = () => sent.map((m) => `${(m.body as AlertMessage).transition} ${(m.body as AlertMessage).rule}/${(m.body as AlertMessage).subject.code}`);
  return { db, clock, sent, said, engine, release, silence, repo };
}

describe("silences in the rules engine", () => {
  it("says nothing while silenced; when the silence runs out (no write at all), the open message once, then reminders from there", () => {
    const s = setup();
    const id = s.silence(["KAV-*"], 3 * H);
    s.engine.onStockChanges([change(snapshot("KAV-1", 0), T0, snapshot("KAV-1", 3))]);
    expect(s.said()).toEqual([]);
    expect(listAlerts(s.db, { state: "open", limit: 10 }).map((a) => [a.rule, a.silencedBy]).sort()).toEqual([
      ["coffee-low", id],
      ["sold-out", id],
    ]);
    // A reminder falls due within the silence: held back too.
    s.clock.advance(2 * H + 1);
    s.engine.tick();
    expect(s.release.drain()).toBe(0);
    expect(s.said()).toEqual([]);
    // The silence's time runs out; nothing was written since.
    s.clock.advance(H);
    s.engine.tick();
    expect(s.said()).toEqual([]);
    expect(s.release.drain()).toBe(2);
    expect(s.said().sort()).toEqual(["open coffee-low/KAV-1", "open sold-out/KAV-1"]);
    expect(s.release.drain()).toBe(0);
    expect(s.said()).toHaveLength(2);
    // Reminders count from the owed open message, not from when the alert opened.
    s.clock.advance(H);
    s.engine.tick();
    expect(s.said()).toHaveLength(2);
    s.clock.advance(H);
    s.engine.tick();
    expect(s.said().slice(2)).toEqual(["remind sold-out/KAV-1"]);
  });

  it("an alert announced before the silence still gets its resolve; one opened and resolved within it sends nothing, ever", () => {
    const s = setup();
    s.engine.onStockChanges([change(snapshot("CAJ-1", 0), T0, snapshot("CAJ-1", 3))]);
    expect(s.said()).toEqual(["open sold-out/CAJ-1"]);
    const id = s.silence(["CAJ-*", "KAV-*"], 3 * H);
    s.engine.onStockChanges([change(snapshot("KAV-2", 0), T0, snapshot("KAV-2", 3))]);
    s.clock.advance(H);
    s.engine.onStockChanges([change(snapshot("CAJ-1", 30), T0 + H, snapshot("CAJ-1", 0)), change(snapshot("KAV-2", 30), T0 + H, snapshot("KAV-2", 0))]);
    expect(s.said()).toEqual(["open sold-out/CAJ-1", "resolve sold-out/CAJ-1"]);
    expect(s.repo.expire(id, s.clock.now())).toBe("expired");
    s.engine.tick();
    expect(s.release.drain()).toBe(0);
    expect(s.said()).toHaveLength(2);
  });

  it("an owed open message carries the Slack buttons like any open message when they are on", () => {
    const s = setup({ slackActions: true });
    s.silence(["KAV-*"], H);
    s.engine.onStockChanges([change(snapshot("KAV-1", 0), T0, snapshot("KAV-1", 3))]);
    s.clock.advance(H);
    expect(s.release.drain()).toBe(2);
    expect(s.sent.map((m) => (m.body as AlertMessage).actions)).toEqual([true, true]);
  });

  it("an owed alert that resolves after the silence ended, before the release ran, says nothing either", () => {
    const s = setup();
    s.silence(["KAV-*"], H);
    s.engine.onStockChanges([change(snapshot("KAV-1", 0), T0, snapshot("KAV-1", 3))]);
    s.clock.advance(2 * H);
    s.engine.onStockChanges([change(snapshot("KAV-1", 30), T0 + 2 * H, snapshot("KAV-1", 0))]);
    expect(s.release.drain()).toBe(0);
    expect(s.said()).toEqual([]);
  });

  it("a silence added while another connection writes is seen by the engine's next decision", () => {
    const s = setup();
    s.engine.onStockChanges([change(snapshot("KAV-1", 10), T0, snapshot("KAV-1", 30))]);
    expect(s.said()).toEqual(["open coffee-low/KAV-1"]);
    // The CLI adds a silence from its own connection.
    const other = openDatabase(s.db.name);
    new SqliteSilenceStore(other).add({ products: ["KAV-*"], rule: "sold-out", eshopId: null, reason: "x", createdBy: "cli", createdAt: T0, endsAt: T0 + H });
    other.close();
    s.engine.onStockChanges([change(snapshot("KAV-1", 0), T0, snapshot("KAV-1", 10))]);
    expect(s.said()).toEqual(["open coffee-low/KAV-1"]);
  });
});
