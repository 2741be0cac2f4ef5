/**
 * `npx tsx scripts/load.ts`: one minute of 1,000 mixed webhooks per second against the daemon
 * (a child process, real SQLite file), with the Shoptet API stand-in answering slowly (200 ms).
 * Prints the receiver's latency (the daemon's own histogram, and as the client saw it), RSS at
 * start and end, and how long the job backlog took to drain. Exit 0 when every webhook was
 * acknowledged and stored, the backlog drained, and the receiver's p99 is within 50 ms.
 *
 *   LOAD_SECONDS=60 LOAD_RATE=1000 LOAD_SHOPTET_DELAY_MS=200 npx tsx scripts/load.ts
 */
import { loadRun, type LoadResult } from "../test/reliability/harness/load-run.js";
import { startRig } from "../test/reliability/harness/rig.js";
import { loadProblems } from "../test/reliability/harness/verdicts.js";

export interface LoadScriptOptions {
  seconds: number;
  rate: number;
  shoptetDelayMs: number;
  log: (line: string) => void;
}

/** One load run on a fresh daemon; returns the figures and the problems found. */
export async function runLoad(o: LoadScriptOptions): Promise<{ result: LoadResult; problems: string[] }> {
  const rig = await startRig({ shoptetDelayMs: o.shoptetDelayMs });
  try {
    await rig.daemon.start();
    o.log(`load: ${o.seconds} s at ${o.rate} webhooks/s, Shoptet API answering after ${o.shoptetDelayMs} ms`);
    const result = await loadRun(rig, { seconds: o.seconds, rate: o.rate, progress: (l) => o.log(`  ${l}`), drainTimeoutMs: 300_000 });
    const problems = loadProblems(result, { latency: true });
    const code = await rig.daemon.stop();
    if (code !== 0) problems.push(`graceful stop exited ${code}`);
    return { result, problems };
  } finally {
    await rig.close();
  }
}

export function describeLoad(r: LoadResult): string {
  return [
    `  webhooks: ${r.sent} sent, ${r.acknowledged} acknowledged (${JSON.stringify(r.outcomes)}; ${r.staleSocketResends} re-sent after a stale keep-alive socket)`,
    `  receiver latency: p99 ≤ ${r.daemonP99AtMostMs} ms (daemon's histogram, request start to committed 200); client side p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms`,
    `  RSS: ${r.rssStartMb} MB after warm-up, ${r.rssEndMb} MB at the end (peak ${r.rssPeakMb} MB)`,
    `  backlog: ${r.backlogAtEnd} jobs pending when the traffic stopped, drained in ${(r.drainMs / 1000).toFixed(1)} s; ${r.apiRequests} Shoptet API requests in all`,
    `  database: ${r.report.events} events, integrity ${r.report.integrity}, jobs ${JSON.stringify(r.report.jobs)}, outbox ${JSON.stringify(r.report.outbox)}`,
  ].join("\n");
}

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("scripts/load.ts");
if (isMain) {
  const { result, problems } = await runLoad({
    seconds: Number(process.env.LOAD_SECONDS ?? 60),
    rate: Number(process.env.LOAD_RATE ?? 1000),
    shoptetDelayMs: Number(process.env.LOAD_SHOPTET_DELAY_MS ?? 200),
    log: (l) => console.log(l),
  });
  console.log(describeLoad(result));
  console.log(problems.length ? `FAILED:\n  ${problems.join("\n  ")}` : "load: OK");
  process.exit(problems.length ? 1 : 0);
}
