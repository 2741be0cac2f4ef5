import { afterEach, describe, expect, it } from "vitest";
import { crashRun } from "./harness/crash-run.js";
import { startRig, type Rig } from "./harness/rig.js";
import { crashProblems } from "./harness/verdicts.js";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("kill -9 under load", () => {
  it(
    "three SIGKILLs of the process group at random moments lose no acknowledged event, leave nothing stuck, and every due alert is sent",
    async () => {
      rig = await startRig();
      const seed = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
      const result = await crashRun(rig, {
        kills: 3,
        seed,
        progress: (line) => process.env.RELIABILITY_VERBOSE && console.log(line),
      });
      const summary = { ...result, report: { ...result.report, lostAcknowledged: result.report.lostAcknowledged.length } };
      expect(result.notifications, JSON.stringify(summary)).toBeGreaterThan(500);
      expect(crashProblems(result), `seed ${seed} (RELIABILITY_SEED=${seed} repeats the traffic mix and kill times): ${JSON.stringify(summary)}`).toEqual([]);
    },
    240_000,
  );
});
