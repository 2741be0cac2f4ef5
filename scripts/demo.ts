/**
 * `npm run demo`: stockwatch on a simulated shop day, entirely on this machine.
 *
 * Starts the daemon in-process (createApp) with a throw-away database in a temp folder, next to a
 * simulated Shoptet (the stock API and signed webhooks), a Slack catcher and an SMTP catcher, all
 * on 127.0.0.1. Plays a scripted day (products sell out, go low, are restocked, orders are
 * cancelled) by POSTing signed webhooks to the daemon over HTTP, sends the end-of-day digest
 * through the outbox, and writes what Slack and the mailbox received to demo-output/.
 *
 *   npm run demo                 play the day, write demo-output/, exit
 *   npm run demo -- --keep       …and keep the daemon running to browse its dashboard
 *   npm run demo -- --verbose    …with the daemon's log on stderr
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createApp, type App } from "../src/app.js";
import { runDigestSend } from "../src/cli/commands/digest.js";
import { readSettings } from "../src/config/env.js";
import { signBody } from "../src/receiver/verify-signature.js";
import { loadRulesFile } from "../src/rules/load-rules.js";
import type { CompiledRules } from "../src/rules/rules-types.js";
import { addDays, instantOf, wallTimeAt } from "../src/rules/zoned-time.js";
import { createLogger, silentLogger } from "../src/shared/logger.js";
import { ShoptetClient } from "../src/shoptet/shoptet-client.js";
import { tokenLookup } from "../src/shoptet/token-lookup.js";
import { seedFromApi } from "../src/stock/seed-from-api.js";
import { startShoptetStandin, type ShoptetStandin } from "../test/helpers/shoptet-standin.js";
import { startSlackStandin, type SlackCall, type SlackStandin } from "../test/helpers/slack-standin.js";
import { startSmtpStandin, type ReceivedMail, type SmtpStandin } from "../test/helpers/smtp-standin.js";
import { DEMO_RULES } from "./demo/demo-rules.js";
import { DEMO_DAY, DEMO_DAY_END, DEMO_ESHOP, DEMO_OPENING_HOUR, DEMO_PRODUCTS, DEMO_WAREHOUSES, type DemoStep } from "./demo/scripted-day.js";
import { TimeLapseClock } from "./demo/time-lapse-clock.js";
import { waitForQuiet } from "./demo/wait-for-quiet.js";

export interface DemoOptions {
  /** Keep the daemon and the stand-ins running after the day (stop them with `result.stop()`). */
  keep?: boolean;
  /** Where the captured messages go. Default: demo-output/ in the project folder. */
  outputDir?: string;
  /** Where the story is told. Default: stdout. */
  out?: { write(text: string): unknown };
  /** The daemon's log on stderr. */
  verbose?: boolean;
}

export interface DemoResult {
  url: string;
  /** The dashboard, when the daemon serves one at `/`. */
  dashboardUrl: string | null;
  outputDir: string;
  slackMessages: number;
  emails: number;
  /** The digest email's HTML file, when it arrived. */
  digestFile: string | null;
  /** Stops whatever is still running (everything already, unless `keep`). */
  stop(): Promise<void>;
}

const PROJECT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const MARKER = ".stockwatch-demo";
const SLACK_TOKEN = "xoxb-demo-not-a-real-token";
const TIME_ZONE = "Europe/Prague";

/** The opening time of the latest shop day (in the rules' timezone) that has already ended. */
function latestEndedDay(now: number): number {
  const today = wallTimeAt(now, TIME_ZONE);
  for (let back = 0; back < 3; back++) {
    const d = addDays(today.year, today.month, today.day, -back);
    const opening = instantOf(d.year, d.month, d.day, DEMO_OPENING_HOUR, 0, TIME_ZONE);
    if (opening + DEMO_DAY_END * 60_000 <= now) return opening;
  }
  return now - (DEMO_DAY_END + 1) * 60_000;
}

function shoptetTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+0000`;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 50);
}

/** Plays the demo day; see the file comment. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const out = options.out ?? process.stdout;
  const say = (text = "") => out.write(`${text}\n`);
  const outputDir = resolve(options.outputDir ?? join(PROJECT, "demo-output"));
  const work = mkdtempSync(join(tmpdir(), "stockwatch-demo-"));

  // The latest full shop day (08:00–17:00 Prague) is replayed; afterwards the clock catches up with now.
  const opening = latestEndedDay(Date.now());
  const clock = new TimeLapseClock(opening);
  const hhmm = (ms: number) => new Intl.DateTimeFormat("en-GB", { timeZone: TIME_ZONE, hour: "2-digit", minute: "2-digit" }).format(ms);
  const day = new Intl.DateTimeFormat("en-GB", { timeZone: TIME_ZONE, weekday: "long", day: "numeric", month: "long" }).format(opening);

  const closers: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    while (closers.length) await closers.pop()!().catch(() => undefined);
  };

  let app: App | undefined;
  try {
    const shoptet: ShoptetStandin = await startShoptetStandin({ eshopId: DEMO_ESHOP, clock, token: randomBytes(12).toString("hex") });
    closers.push(() => shoptet.close());
    const slack: SlackStandin = await startSlackStandin({ token: SLACK_TOKEN });
    closers.push(() => slack.close());
    const smtp: SmtpStandin = await startSmtpStandin();
    closers.push(() => smtp.close());
    closers.push(async () => rmSync(work, { recursive: true, force: true }));
    for (const w of DEMO_WAREHOUSES) shoptet.addStock(w.id, w.title);
    for (const p of DEMO_PRODUCTS) shoptet.addProduct(p);

    const rulesPath = join(work, "rules.yaml");
    writeFileSync(rulesPath, DEMO_RULES);
    const webhookKey = randomBytes(16).toString("hex");
    // Only what the demo sets: nothing from the caller's environment (no real token or URL) gets in.
    const settings = readSettings({
      HOST: "127.0.0.1",
      PORT: "0",
      STOCKWATCH_DB: join(work, "stockwatch.db"),
      STOCKWATCH_RULES: rulesPath,
      SHOPTET_WEBHOOK_KEY: webhookKey,
      SHOPTET_API_URL: shoptet.url,
      SHOPTET_API_TOKEN: shoptet.token,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
      SMTP_URL: smtp.url(),
      MAIL_FROM: "stockwatch-demo@localhost",
      LOG_LEVEL: options.verbose ? "info" : "silent",
    });
    app = createApp({
      settings,
      clock,
      logger: options.verbose ? createLogger("info", process.stderr as never) : silentLogger(),
      pipeline: { deliveryPollMs: 50, tickMs: 500, stock: { movementReadGapMs: 0, pollIntervalMs: 10 } },
      // The simulated clock lives in this thread: run the engine here too.
      engine: "inline",
    });
    const started = app;
    closers.push(() => started.stop());
    await app.start();
    const url = app.url;

    say(`stockwatch demo: ${day} in a small Shoptet shop, replayed in a few seconds (times are ${TIME_ZONE}).`);
    say(`  daemon         ${url}  (database and rules in ${work}, deleted at the end)`);
    say(`  fake Shoptet   ${shoptet.url}   Slack catcher ${slack.url}   SMTP catcher ${smtp.host}:${smtp.port}`);
    say("  nothing leaves this machine.");
    say();

    // The operator's first step: read the current stock from the API (what `stockwatch sync` does).
    const seeded = await seedFromApi({ db: app.db, clock, client: new ShoptetClient({ baseUrl: settings.shoptetApiUrl, tokenFor: tokenLookup(settings), clock, logger: silentLogger() }), eshopIds: [DEMO_ESHOP], details: "all" });
    say(`${hhmm(clock.now())}  The shop opens. stockwatch reads the stock from the Shoptet API: ${seeded.products} products in ${seeded.warehouses} warehouses.`);
    for (const p of DEMO_PRODUCTS) {
      const v = p.variants[0]!;
      say(`         ${v.code.padEnd(7)} ${p.name.padEnd(27)} ${String(shoptet.quantityOf(v.code)).padStart(3)} in stock, minimum ${v.minStockSupply ?? "not set"}`);
    }
    say();

    let slackSeen = 0;
    let mailsSeen = 0;
    const report = () => {
      const calls = slack.calls.slice(slackSeen);
      slackSeen += calls.length;
      const mails = smtp.mails.slice(mailsSeen);
      mailsSeen += mails.length;
      for (const line of describeSlack(calls.filter((c) => c.answer === "ok"), slack)) say(`         → Slack ${line}`);
      for (const m of mails) say(`         → email to ${m.envelope.to.join(", ")}: "${m.parsed.subject ?? ""}"`);
      if (calls.length === 0 && mails.length === 0) say("         → nothing to tell anyone");
    };

    for (const step of DEMO_DAY) {
      await waitForQuiet(app.db, clock);
      clock.jumpTo(opening + step.minute * 60_000);
      say(`${hhmm(clock.now())}  ${step.story}`);
      const sent = await playStep(step, shoptet, url, webhookKey, clock.now());
      say(`         Shoptet → ${sent.join(", ")}`);
      await waitForQuiet(app.db, clock);
      report();
    }

    await waitForQuiet(app.db, clock);
    // End of the day: the digest, the way `stockwatch digest send end-of-day` builds it.
    clock.jumpTo(opening + DEMO_DAY_END * 60_000);
    say(`${hhmm(clock.now())}  End of the day: stockwatch digest send end-of-day`);
    const digestText = { text: "", write(t: string) { this.text += t; } };
    const code = await runDigestSend(
      {
        db: app.db,
        rules: demoRules(rulesPath),
        name: "end-of-day",
        from: opening,
        to: clock.now(),
        clock,
        enqueue: app.outbox.enqueue,
      },
      digestText,
      digestText,
    );
    if (code !== 0) throw new Error(`the digest was not built: ${digestText.text.trim()}`);
    const mailsBefore = mailsSeen;
    await waitForQuiet(app.db, clock);
    await smtp.waitForMails(mailsBefore + 1, 10_000);
    report();
    const digestMail = smtp.mails[mailsBefore] ?? null;
    // From here on the daemon lives in the present (--keep): the clock catches up with real time.
    clock.jumpTo(Date.now());

    // What the shop looks like now, as the API tells it.
    const products = ((await (await fetch(`${url}/api/products`)).json()) as { products: { code: string; name: string | null; quantity: number; level: string }[] })
      .products;
    say();
    say("Stock at the end of the day (GET /api/products):");
    for (const p of products) say(`  ${p.code.padEnd(7)} ${(p.name ?? "").padEnd(27)} ${String(p.quantity).padStart(3)}  ${p.level}`);

    const files = writeOutput(outputDir, slack, smtp.mails, digestMail);
    const dashboardUrl = (await serves(`${url}/`)) ? `${url}/` : null;

    say();
    say("Where to look:");
    say(`  Slack messages    ${rel(files.slack)}   (as #warehouse shows them now; raw Block Kit calls in ${rel(files.slackCalls)})`);
    say(`  emails            ${files.emails.map(rel).join(", ")}`);
    if (files.digestHtml) say(`  the digest        ${rel(files.digestHtml)}   (open it in a browser)`);
    if (options.keep) {
      if (dashboardUrl) say(`  dashboard         ${dashboardUrl}`);
      say(`  API               ${url}/api/products  ${url}/api/alerts  ${url}/api/deliveries  ${url}/api/events`);
      say(`  metrics           ${url}/metrics`);
      say();
      say("The daemon keeps running (--keep): browse the dashboard and the API. Ctrl-C stops it and deletes the database.");
    } else {
      say(`  dashboard & API   npm run demo -- --keep   keeps the daemon running; then open ${dashboardUrl ? "its dashboard at /" : "/api/products, /api/alerts, /api/deliveries"}`);
    }

    const result: DemoResult = {
      url,
      dashboardUrl,
      outputDir,
      slackMessages: slack.ok("chat.postMessage").length,
      emails: smtp.mails.length,
      digestFile: files.digestHtml,
      stop: stopAll,
    };
    if (!options.keep) await stopAll();
    return result;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Moves stock at the simulated Shoptet and POSTs the step's signed webhooks; returns what was sent. */
async function playStep(step: DemoStep, shoptet: ShoptetStandin, url: string, key: string, now: number): Promise<string[]> {
  const stocks = new Set<number>();
  for (const m of step.moves) {
    shoptet.move(m.stock, m.code, m.change, { changedBy: m.by ?? "customer" });
    stocks.add(m.stock);
  }
  const hooks = [...step.events, ...[...stocks].map((s) => ({ event: "stock:movement", instance: String(s) }))];
  const sent: string[] = [];
  for (const h of hooks) {
    const body = JSON.stringify({ eshopId: DEMO_ESHOP, event: h.event, eventCreated: shoptetTime(now), eventInstance: h.instance });
    const res = await fetch(`${url}/webhooks/shoptet`, {
      method: "POST",
      headers: { "content-type": "application/json", "shoptet-webhook-signature": signBody(key, body) },
      body,
    });
    if (res.status !== 200) throw new Error(`the daemon answered ${res.status} to ${h.event}: ${await res.text()}`);
    sent.push(`${h.event} ${h.instance}`);
  }
  return sent;
}

/** One line per Slack change: a new message, or an update of an alert's message (with its thread reply). */
function describeSlack(calls: readonly SlackCall[], slack: SlackStandin): string[] {
  const name = (channel: string) => (channel === slack.channelId("#warehouse") ? "#warehouse" : channel);
  const first = (c: SlackCall) => String(c.params.text ?? "").split("\n")[0]!;
  const updated = new Set(calls.filter((c) => c.method === "chat.update").map((c) => String(c.params.ts)));
  const lines: string[] = [];
  for (const c of calls) {
    const channel = name(String(c.params.channel ?? ""));
    const thread = typeof c.params.thread_ts === "string" ? c.params.thread_ts : undefined;
    if (c.method === "chat.update") {
      const replied = calls.some((r) => r.params.thread_ts === c.params.ts);
      lines.push(`${channel}: "${first(c)}" (its first message is edited in place${replied ? "; a thread reply notifies the channel" : ""})`);
    } else if (thread !== undefined && updated.has(thread)) {
      continue; // told with the update above
    } else if (thread !== undefined) {
      lines.push(`${channel}, in a thread: "${first(c)}"`);
    } else {
      lines.push(`${channel}: "${first(c)}"`);
    }
  }
  return lines;
}

function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return r.startsWith("..") ? path : r;
}

async function serves(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status === 200 && (res.headers.get("content-type") ?? "").includes("text/html");
  } catch {
    return false;
  }
}

/** Writes the captured Slack messages and emails to `dir` (emptied first if an earlier demo wrote it). */
function writeOutput(
  dir: string,
  slack: SlackStandin,
  mails: readonly ReceivedMail[],
  digest: ReceivedMail | null,
): { slack: string; slackCalls: string; emails: string[]; digestHtml: string | null } {
  if (existsSync(join(dir, MARKER))) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), "written by npm run demo; deleted and rewritten by the next run\n");

  const lines = ["# Slack, as the demo's #warehouse shows it at the end of the day", ""];
  const top = [...slack.messages.values()].filter((m) => m.threadTs === undefined);
  for (const m of top) {
    lines.push(`## ${m.text.split("\n")[0]}`, "", "```", m.text, "```");
    if (m.updates) lines.push(`(updated ${m.updates} time${m.updates === 1 ? "" : "s"} since it was posted)`);
    for (const r of [...slack.messages.values()].filter((x) => x.threadTs === m.ts)) lines.push("", `> thread reply: ${r.text.replace(/\n/g, "\n> ")}`);
    lines.push("");
  }
  const slackFile = join(dir, "slack-messages.md");
  writeFileSync(slackFile, `${lines.join("\n")}\n`);
  const callsFile = join(dir, "slack-calls.json");
  writeFileSync(callsFile, `${JSON.stringify(slack.calls.map((c) => ({ method: c.method, answer: c.answer, params: c.params })), null, 2)}\n`);

  const emails: string[] = [];
  let digestHtml: string | null = null;
  mails.forEach((m, i) => {
    const isDigest = m === digest;
    const file = join(dir, `${String(i + 1).padStart(2, "0")}-${isDigest ? "digest" : slug(m.parsed.subject ?? "email")}.eml`);
    writeFileSync(file, m.raw);
    emails.push(file);
    if (isDigest) {
      if (m.parsed.html) {
        digestHtml = join(dir, "digest.html");
        writeFileSync(digestHtml, m.parsed.html);
      }
      writeFileSync(join(dir, "digest.txt"), m.parsed.text ?? "");
    }
  });
  return { slack: slackFile, slackCalls: callsFile, emails, digestHtml };
}

// Run as a script (npm run demo → tsx scripts/demo.ts).
/** The rules file as `stockwatch digest send` reads it (the daemon shows only their status). */
function demoRules(path: string): CompiledRules {
  const loaded = loadRulesFile(path);
  if (!loaded.ok) throw new Error(`the demo's rules file is invalid: ${loaded.errors[0]!.message}`);
  return loaded.rules;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = new Set(process.argv.slice(2));
  const unknown = [...args].filter((a) => a !== "--keep" && a !== "--verbose");
  if (unknown.length) {
    process.stderr.write(`npm run demo: unknown option ${unknown.join(" ")}; use --keep and/or --verbose\n`);
    process.exit(1);
  }
  const started = Date.now();
  runDemo({ keep: args.has("--keep"), verbose: args.has("--verbose") })
    .then((result) => {
      process.stdout.write(`\n(done in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      if (!args.has("--keep")) return;
      const stop = () => {
        process.stdout.write("\nstopping the demo…\n");
        void result.stop().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    })
    .catch((error: unknown) => {
      process.stderr.write(`npm run demo failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    });
}
