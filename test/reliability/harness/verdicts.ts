import type { CrashRunResult } from "./crash-run.js";
import type { LoadResult } from "./load-run.js";

/**
 * What must hold after a run, as a list of problems (empty = it holds). Shared by the CI tests
 * and the soak script, so both judge a run the same way.
 */

export function crashProblems(r: CrashRunResult): string[] {
  const p: string[] = [];
  const rep = r.report;
  if (r.acknowledged !== r.notifications) p.push(`${r.notifications - r.acknowledged} notifications never acknowledged`);
  if (rep.integrity !== "ok") p.push(`integrity_check: ${rep.integrity}`);
  if (rep.foreignKeyProblems) p.push(`${rep.foreignKeyProblems} foreign key problems`);
  if (rep.lostAcknowledged.length) p.push(`acknowledged but not stored (or stored under another id): ${rep.lostAcknowledged.slice(0, 5).join("; ")}`);
  if (rep.duplicates) p.push(`${rep.duplicates} events stored twice`);
  for (const s of ["pending", "running", "dead"]) if (rep.jobs[s]) p.push(`${rep.jobs[s]} jobs ${s}`);
  for (const [s, n] of Object.entries(rep.outbox)) if (s !== "sent") p.push(`${n} deliveries ${s}`);
  if (rep.feedPosition !== rep.maxEventId) p.push(`event-rules feed at ${rep.feedPosition} of ${rep.maxEventId}`);
  if (r.missingEmails.length) p.push(`cancelled orders never emailed: ${r.missingEmails.join(", ")}`);
  if (r.missingSlack.length) p.push(`sold-out products never alerted on Slack: ${r.missingSlack.join(", ")}`);
  if (r.quantityMismatches.length) p.push(`quantities differ from Shoptet: ${r.quantityMismatches.join("; ")}`);
  if (r.movementMismatches.length) p.push(`movements not stored exactly once: ${r.movementMismatches.join("; ")}`);
  if (r.alertMismatches.length) p.push(`alerts do not match stock: ${r.alertMismatches.join("; ")}`);
  if (r.leakedSecrets.length) p.push(`secrets in logs or database: ${r.leakedSecrets.join(", ")}`);
  if (r.exitCode !== 0) p.push(`graceful stop exited ${r.exitCode}`);
  if (r.resends === 0) p.push("no send was cut by a kill: the kills proved nothing");
  return p;
}

export function loadProblems(r: LoadResult, options: { latency: boolean }): string[] {
  const p: string[] = [];
  const errors = Object.entries(r.outcomes).filter(([k]) => k !== "200");
  if (errors.length) p.push(`non-200 outcomes: ${JSON.stringify(Object.fromEntries(errors))}`);
  if (r.acknowledged !== r.sent) p.push(`${r.sent - r.acknowledged} of ${r.sent} not acknowledged`);
  if (r.report.integrity !== "ok") p.push(`integrity_check: ${r.report.integrity}`);
  if (r.report.lostAcknowledged.length) p.push(`acknowledged but not stored: ${r.report.lostAcknowledged.slice(0, 5).join("; ")}`);
  if (r.report.jobs.dead) p.push(`${r.report.jobs.dead} jobs dead`);
  for (const [s, n] of Object.entries(r.report.outbox)) if (s !== "sent") p.push(`${n} deliveries ${s}`);
  // The receiver's own measure (request start to committed answer); the client-side figure also
  // holds the load generator's scheduling on the same machine, and is reported beside it.
  if (options.latency && !(r.daemonP99AtMostMs <= 50)) {
    p.push(`receiver p99 is over 50 ms (daemon histogram: ≤ ${r.daemonP99AtMostMs} ms; client side ${r.p99} ms)`);
  }
  return p;
}
