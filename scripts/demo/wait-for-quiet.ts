import type { Db } from "../../src/db/open-database.js";
import type { Clock } from "../../src/shared/clock.js";

/**
 * Resolves once the daemon has nothing left to do now: every stored event read by the rules feed,
 * no stock job due or running, no delivery due or sending. It reads the same SQLite file the
 * daemon writes (WAL: readers never block it). Quiet must hold twice in a row, a poll apart, so a
 * job that has just been handed on is not mistaken for the end.
 */
export async function waitForQuiet(db: Db, clock: Clock, timeoutMs = 15_000, pollMs = 20): Promise<void> {
  const feedBehind = db.prepare<[], { behind: number }>(
    `SELECT count(*) AS behind FROM events
      WHERE id > coalesce((SELECT position FROM cursors WHERE name = 'event-rules'), 0)`,
  );
  const jobsDue = db.prepare<[number], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE status = 'running' OR (status = 'pending' AND run_at <= ?)",
  );
  const deliveriesDue = db.prepare<[number], { n: number }>(
    `SELECT count(*) AS n FROM outbox
      WHERE status = 'sending' OR (status IN ('pending', 'retrying') AND next_attempt_at <= ?)`,
  );
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  for (;;) {
    const now = clock.now();
    const busy = feedBehind.get()!.behind + jobsDue.get(now + 1000)!.n + deliveriesDue.get(now + 2000)!.n;
    quietPolls = busy === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return;
    if (Date.now() > deadline) throw new Error("the demo daemon did not settle in time; run with --verbose to see its log");
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
