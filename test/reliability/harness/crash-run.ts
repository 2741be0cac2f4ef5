import { inspectDb, query, unfinished, waitFor, type DbReport } from "./db-check.js";
import { adminGet, ESHOP, type Rig } from "./rig.js";
import { SECRETS, secretsIn, storedText } from "./secrets.js";
import { notification, shoptetTime, ShoptetSender, type Notification, type OutcomeCounts } from "./sender.js";
import { seeded, Workload } from "./workload.js";

export interface CrashRunOptions {
  kills: number;
  seed: number;
  /** The daemon runs between minUpMs and maxUpMs (uniformly random) under traffic before each SIGKILL. */
  minUpMs?: number;
  maxUpMs?: number;
  concurrency?: number;
  /** SIGKILL (default); SIGTERM runs the same traffic with graceful stops, to tell crash bugs from others. */
  stopWith?: "SIGKILL" | "SIGTERM";
  /** How long the final run may take to finish all jobs and deliveries. */
  drainTimeoutMs?: number;
  progress?: (line: string) => void;
}

export interface CrashRunResult {
  seed: number;
  kills: number;
  /** Distinct notifications made. */
  notifications: number;
  /** Notifications acknowledged with 200 (all of them, by the end). */
  acknowledged: number;
  /** Sends that were not a 200 (refused, cut, 503, timeout) and were sent again. */
  resends: number;
  outcomes: OutcomeCounts;
  report: DbReport;
  /** Cancelled orders acknowledged but never emailed. */
  missingEmails: string[];
  /** Products sold out in the stand-in with no Slack alert. */
  missingSlack: string[];
  /** Products whose quantity in stockwatch differs from the stand-in after the drain. */
  quantityMismatches: string[];
  /** Warehouses whose movements at Shoptet are not all stored exactly once in stockwatch. */
  movementMismatches: string[];
  /** Sold-out products without an open alert, or products with an open sold-out alert that are not sold out. */
  alertMismatches: string[];
  emails: number;
  slackPosts: number;
  /** Secrets found in logs or stored text, by name. */
  leakedSecrets: string[];
  exitCode: number | null;
  drainMs: number;
  totalMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The crash scenario: traffic from a Shoptet-like sender (16 at once), SIGKILL of the daemon's
 * process group at random moments, restart on the same port and database, and re-sending of
 * everything that was not acknowledged. Then a final run drains every job and delivery, and the
 * result says what (if anything) was lost.
 */
export async function crashRun(rig: Rig, options: CrashRunOptions): Promise<CrashRunResult> {
  const started = Date.now();
  const random = seeded(options.seed);
  const say = options.progress ?? (() => undefined);
  const minUp = options.minUpMs ?? 400;
  const maxUp = options.maxUpMs ?? 2500;
  const workload = new Workload(rig.shoptet, { key: SECRETS.webhookKey, random });
  const sender = new ShoptetSender(() => rig.daemon.url, { concurrency: options.concurrency ?? 16 });
  let resends = 0;
  try {
    await rig.daemon.start();
    for (let k = 1; k <= options.kills; k++) {
      const again = sender.takeFailed();
      resends += again.length;
      let down = false;
      sender.start(() => (down ? undefined : (again.shift() ?? workload.next())));
      const up = minUp + random() * (maxUp - minUp);
      await sleep(up);
      down = true;
      if (options.stopWith === "SIGTERM") await rig.daemon.stop();
      else await rig.daemon.kill();
      await sender.stop();
      say(`kill ${k}/${options.kills} after ${Math.round(up)} ms: ${workload.produced} made, ${sender.acked.length} acknowledged, ${sender.failed.length} to send again`);
      await rig.daemon.start();
    }
    // The last run: everything not acknowledged is sent again until it is (Shoptet retries too).
    for (let round = 0; sender.failed.length > 0; round++) {
      if (round > 20) throw new Error(`still ${sender.failed.length} unacknowledged after 20 rounds: ${JSON.stringify(sender.counts)}`);
      const again = sender.takeFailed();
      resends += again.length;
      sender.start(() => again.shift());
      await sender.finish();
      if (sender.failed.length) await sleep(200);
    }
    // Settle: one more movement per steady product, in a later second than all traffic. Shoptet's
    // changeTime has one-second resolution, so only an observation from a later second is
    // unambiguously the newest; after it, stockwatch must agree with Shoptet exactly.
    await sleep(1100 - (Date.now() % 1000));
    for (const code of workload.steadyCodes) rig.shoptet.move(1, code, 1);
    const settle = notification("settle", { eshopId: ESHOP, event: "stock:movement", eventCreated: shoptetTime(Date.now()), eventInstance: "1" }, SECRETS.webhookKey);
    await waitFor("the settling webhook to be acknowledged", () => sender.deliver(settle), { timeoutMs: 20_000, everyMs: 200 });
    say(`all ${workload.produced} notifications acknowledged; draining`);

    const drainStart = Date.now();
    const mailsWith = () => rig.smtp.mails.map((m) => `${m.parsed.subject ?? ""}\n${m.parsed.text ?? ""}`).join("\n");
    const slackTexts = () =>
      rig.slack
        .ok("chat.postMessage")
        .map((c) => `${String(c.params.text ?? "")} ${JSON.stringify(c.params.blocks ?? [])}`)
        .join("\n");
    const missing = () => {
      const mails = mailsWith();
      const posts = slackTexts();
      return {
        emails: workload.cancelled.filter((i) => !mails.includes(i)),
        slack: workload.soldOut.filter((c) => !posts.includes(c)),
      };
    };
    let last: DbReport | undefined;
    await waitFor(
      "every job and delivery to finish",
      () => {
        last = inspectDb(rig.dbPath);
        const m = missing();
        return unfinished(last) === 0 && last.feedPosition === last.maxEventId && m.emails.length === 0 && m.slack.length === 0;
      },
      { timeoutMs: options.drainTimeoutMs ?? 120_000, everyMs: 250 },
    ).catch((error: Error) => {
      const m = missing();
      throw new Error(
        `${error.message}: jobs ${JSON.stringify(last?.jobs)}, outbox ${JSON.stringify(last?.outbox)}, feed ${last?.feedPosition}/${last?.maxEventId}, ` +
          `missing emails ${m.emails.length}, missing Slack ${m.slack.join(",")}\n${rig.daemon.tail(15)}`,
      );
    });
    const drainMs = Date.now() - drainStart;

    const products = (await adminGet<{ products: { code: string; quantity: number; level: string }[] }>(rig.daemon, "/api/products?limit=100000")).products;
    const quantityMismatches: string[] = [];
    for (const p of products) {
      const expected = rig.shoptet.quantityOf(p.code);
      if (p.quantity !== expected) quantityMismatches.push(`${p.code}: stockwatch ${p.quantity}, Shoptet ${expected}`);
    }
    for (const code of workload.soldOut) {
      if (!products.some((p) => p.code === code)) quantityMismatches.push(`${code}: sold out at Shoptet, unknown to stockwatch`);
    }
    const stored = new Map(
      query<{ stock_id: number; n: number }>(rig.dbPath, "SELECT stock_id, count(*) AS n FROM stock_movements GROUP BY stock_id").map((r) => [r.stock_id, r.n]),
    );
    const movementMismatches: string[] = [];
    for (const stock of workload.stocks) {
      const expected = rig.shoptet.movementCount(stock);
      if ((stored.get(stock) ?? 0) !== expected) movementMismatches.push(`stock ${stock}: ${stored.get(stock) ?? 0} stored, ${expected} at Shoptet`);
    }
    const open = query<{ subject: string }>(rig.dbPath, "SELECT subject FROM alerts WHERE state = 'open' AND rule = 'sold-out'").map((r) => r.subject);
    const alertMismatches = [
      ...products.filter((p) => p.level === "soldOut" && !open.includes(p.code)).map((p) => `${p.code}: sold out without an open alert`),
      ...open.filter((code) => products.find((p) => p.code === code)?.level !== "soldOut").map((c) => `${c}: open sold-out alert but not sold out`),
    ];

    const exitCode = await rig.daemon.stop();
    const report = inspectDb(rig.dbPath, sender.acked);
    const m = missing();
    const leakedSecrets = [...new Set([...secretsIn(rig.daemon.text()), ...secretsIn(storedText(rig.dbPath))])];
    return {
      seed: options.seed,
      kills: options.kills,
      notifications: workload.produced + 1,
      acknowledged: new Set(sender.acked.map((n: Notification) => n.tag)).size,
      resends,
      outcomes: { ...sender.counts },
      report,
      missingEmails: m.emails,
      missingSlack: m.slack,
      quantityMismatches,
      movementMismatches,
      alertMismatches,
      emails: rig.smtp.mails.length,
      slackPosts: rig.slack.ok("chat.postMessage").length,
      leakedSecrets,
      exitCode,
      drainMs,
      totalMs: Date.now() - started,
    };
  } finally {
    sender.close();
  }
}
