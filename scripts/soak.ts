/**
 * `npx tsx scripts/soak.ts` (`npm run soak`): the long version of test/reliability.
 *
 * 1. Crash: the daemon as a child process under traffic from a Shoptet-like sender (16 at once),
 *    SIGKILLed at random moments SOAK_KILLS times (default 12), restarted on the same port and
 *    database, unacknowledged webhooks re-sent; then every acknowledged event must be stored once,
 *    integrity_check ok, no job or delivery stuck, every due alert sent, no secret in any log.
 * 2. Load: SOAK_LOAD_SECONDS (default 60) of 1,000 mixed webhooks/s with the Shoptet API stand-in
 *    answering after 200 ms; receiver p99 < 50 ms, RSS start/end, backlog drained.
 *
 * Prints the figures for the README's "Reliability" section; exit 0 when everything held.
 *   SOAK_KILLS=12 SOAK_SEED=… SOAK_LOAD_SECONDS=60 SOAK_LOAD_RATE=1000 npx tsx scripts/soak.ts
 */
import { crashRun } from "../test/reliability/harness/crash-run.js";
import { startRig } from "../test/reliability/harness/rig.js";
import { crashProblems } from "../test/reliability/harness/verdicts.js";
import { describeLoad, runLoad } from "./load.js";

const kills = Number(process.env.SOAK_KILLS ?? 12);
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
const loadSeconds = Number(process.env.SOAK_LOAD_SECONDS ?? 60);
const loadRate = Number(process.env.SOAK_LOAD_RATE ?? 1000);
const log = (line: string) => console.log(line);
const problems: string[] = [];
const started = Date.now();

log(`soak: ${kills} SIGKILLs (seed ${seed}), then ${loadSeconds} s at ${loadRate} webhooks/s — ${new Date().toISOString()}, node ${process.version}`);
const rig = await startRig();
try {
  const r = await crashRun(rig, { kills, seed, minUpMs: 500, maxUpMs: 4000, drainTimeoutMs: 300_000, progress: (l) => log(`  ${l}`) });
  const found = crashProblems(r);
  problems.push(...found.map((p) => `crash: ${p}`));
  log(
    [
      `crash: ${r.kills} kills; ${r.notifications} notifications, ${r.acknowledged} acknowledged, ${r.resends} re-sent after a kill (${JSON.stringify(r.outcomes)})`,
      `  database: ${r.report.events} events (each acknowledged one stored once: ${r.report.lostAcknowledged.length === 0 ? "yes" : "NO"}), integrity ${r.report.integrity}, jobs ${JSON.stringify(r.report.jobs)}, outbox ${JSON.stringify(r.report.outbox)}`,
      `  alerts: ${r.emails} emails (cancelled orders never emailed: ${r.missingEmails.length}), ${r.slackPosts} Slack posts (sold-out products never alerted: ${r.missingSlack.length}); stock agrees with Shoptet: ${r.quantityMismatches.length + r.movementMismatches.length === 0 ? "yes" : "NO"}`,
      `  drain after the last restart: ${(r.drainMs / 1000).toFixed(1)} s; whole crash phase ${(r.totalMs / 1000).toFixed(0)} s; secrets in logs/database: ${r.leakedSecrets.length ? r.leakedSecrets.join(", ") : "none"}`,
    ].join("\n"),
  );
} finally {
  await rig.close();
}

const { result, problems: loadIssues } = await runLoad({ seconds: loadSeconds, rate: loadRate, shoptetDelayMs: 200, log });
problems.push(...loadIssues.map((p) => `load: ${p}`));
log(describeLoad(result));

log(`soak took ${((Date.now() - started) / 1000).toFixed(0)} s`);
log(problems.length ? `soak: FAILED\n  ${problems.join("\n  ")}` : "soak: OK");
process.exit(problems.length ? 1 : 0);
