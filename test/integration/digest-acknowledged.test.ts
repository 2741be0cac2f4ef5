import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../../src/db/open-database.js";
import { previewDigest } from "../../src/digest/run-digest.js";
import type { CompiledRules } from "../../src/rules/rules-types.js";
import { FixedClock } from "../../src/shared/clock.js";
import { tempDbPath } from "../helpers/temp-dir.js";
import { PERIOD, loadDigestRules, scriptDay } from "../fixtures/digest/scripted-day.js";

let db: Db;
let rules: CompiledRules;

beforeEach(() => {
  db = openDatabase(tempDbPath());
  scriptDay(db);
  rules = loadDigestRules();
});
afterEach(() => db.close());

const build = () => previewDigest({ db, clock: new FixedClock(PERIOD.to) }, rules.digests.find((d) => d.name === "morning")!, rules, PERIOD);

describe("the digest says which open alerts were acknowledged in Slack", () => {
  it("counts them per rule and shows it in the text and HTML parts", async () => {
    // Acknowledged from Slack, as src/slack/act-on-alerts does: one of the three open sold-out alerts.
    const id = db.prepare("SELECT id FROM alerts WHERE rule = 'sold-out' AND state = 'open' ORDER BY id LIMIT 1").pluck().get() as number;
    db.prepare("UPDATE alerts SET acknowledged_by = 'jana', acknowledged_by_id = 'U123', acknowledged_at = ? WHERE id = ?").run(PERIOD.to - 60_000, id);
    const { model, rendered } = await build();
    expect(model.alerts?.rows.map((r) => [r.rule, r.openNow, r.acknowledgedNow ?? 0])).toEqual([
      ["sold-out", 3, 1],
      ["low", 1, 0],
      ["order-cancelled", 0, 0],
    ]);
    for (const part of [rendered.text, rendered.html]) expect(part).toContain("3 (1 acknowledged in Slack)");
  });

  it("says nothing of it when nobody acknowledged", async () => {
    const { rendered } = await build();
    expect(rendered.text).not.toContain("acknowledged");
  });
});
