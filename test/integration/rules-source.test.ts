import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mirrorRules } from "../../src/rules/rules-mirror.js";
import { openRulesSource, snapshotRules } from "../../src/rules/rules-source.js";
import { FixedClock } from "../../src/shared/clock.js";
import { silentLogger } from "../../src/shared/logger.js";
import { tempDir } from "../helpers/temp-dir.js";

const RULES = `channels:
  warehouse: { type: slack, channel: "#warehouse" }
rules:
  - name: sold-out
    when: { level: soldOut }
    notify: [warehouse]
`;

describe("the rules the HTTP side mirrors", () => {
  it.each([false, true])("a snapshot after every reload, valid, refused or undone, that crosses threads and replaces the mirror's (watching: %s)", (watching) => {
    const path = join(tempDir(), "rules.yaml");
    writeFileSync(path, RULES);
    const source = openRulesSource(path, { clock: new FixedClock(1_000), logger: silentLogger() });
    if (watching) source.watch(); // reload() then goes through the file watcher (SIGHUP)
    const mirror = mirrorRules(snapshotRules(source));
    const seen: string[] = [];
    // As the engine thread does: post a snapshot on each status change (structuredClone = postMessage).
    source.onStatus(() => {
      const snapshot = structuredClone(snapshotRules(source));
      seen.push(snapshot.status.summary);
      mirror.update(snapshot);
    });

    writeFileSync(path, `${RULES}forecast: { window: 14d }\n`);
    source.reload();
    expect(mirror.forecastSettings().windowDays).toBe(14);
    expect(mirror.status()).toMatchObject({ ok: true, summary: "1 channel, 1 rule, 0 digests", loadedAtMs: 1_000 });

    writeFileSync(path, RULES.replace("notify: [warehouse]", "notify: [nobody]"));
    source.reload();
    expect(mirror.status().ok).toBe(false);
    expect(mirror.status().errors.join("\n")).toMatch(/nobody/);
    // The last good rules stay in force, forecast settings included.
    expect(mirror.forecastSettings().windowDays).toBe(14);

    // The broken edit is undone: the same rules as in force, and the refusal no longer shows.
    writeFileSync(path, `${RULES}forecast: { window: 14d }\n`);
    source.reload();
    expect(mirror.status()).toMatchObject({ ok: true, errors: [] });
    source.reload(); // the same valid text again: nothing changed, no snapshot
    expect(seen).toHaveLength(3);
    source.close();
  });
});
