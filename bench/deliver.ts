/**
 * Delivery benchmark: 1,000 queued outbox messages drained by the real delivery worker against
 * the loopback Slack stand-in and a real SMTP server (smtp-server). Reports messages per second
 * and checks per-channel Slack pacing at the receiving end.
 *
 *   npx tsx bench/deliver.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "../src/db/open-database.js";
import { createNotifiers } from "../src/notifiers/notifier-registry.js";
import { createOutbox } from "../src/outbox/create-outbox.js";
import { createDeliveryWorker, DEFAULT_PACING_MS } from "../src/outbox/delivery-worker.js";
import type { AlertMessage, NewOutboxMessage } from "../src/outbox/outbox-types.js";
import { systemClock } from "../src/shared/clock.js";
import { silentLogger } from "../src/shared/logger.js";
import { startSlackStandin } from "../test/helpers/slack-standin.js";
import { startSmtpStandin } from "../test/helpers/smtp-standin.js";

const TOKEN = "xoxb-bench";

function alertBody(code: string, i: number): AlertMessage {
  return {
    kind: "alert",
    rule: "sold-out",
    severity: "critical",
    transition: "open",
    alertId: i,
    subject: { eshopId: 1, code, name: `Product ${code}`, quantity: 0, minStockSupply: 5, level: "soldOut", perStock: { "1": 0 } },
    summary: `Sold out: ${code} Product ${code} (0 left, minimum 5)`,
  };
}

interface Mix {
  name: string;
  slackChannels: number;
  slackMessages: number;
  emailChannels: number;
  emailMessages: number;
}

async function run(mix: Mix): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "stockwatch-bench-"));
  const db = openDatabase(join(dir, "bench.db"));
  const slack = await startSlackStandin({ token: TOKEN });
  const smtp = await startSmtpStandin();
  const notifiers = createNotifiers(
    { slackBotToken: TOKEN, slackApiUrl: slack.url, smtpUrl: smtp.url(), mailFrom: "bench@shop.test" },
    { db, clock: systemClock, logger: silentLogger() },
  );
  const worker = createDeliveryWorker({ db, clock: systemClock, logger: silentLogger(), notifiers, secrets: [TOKEN] });
  const outbox = createOutbox(db, systemClock, { onEnqueued: worker.wake });

  const now = Date.now();
  const messages: NewOutboxMessage[] = [];
  for (let i = 0; i < mix.slackMessages; i++) {
    messages.push({
      dedupeKey: `bench:s:${i}`,
      channel: "warehouse",
      destination: { type: "slack", channel: `#bench-${i % mix.slackChannels}` },
      body: alertBody(`S-${i}`, i),
      notBefore: now,
    });
  }
  for (let i = 0; i < mix.emailMessages; i++) {
    messages.push({
      dedupeKey: `bench:e:${i}`,
      channel: `mail-${i % mix.emailChannels}`,
      destination: { type: "email", to: [`m${i % mix.emailChannels}@shop.test`] },
      body: alertBody(`E-${i}`, i),
      notBefore: now,
    });
  }
  db.transaction(() => messages.forEach((m) => outbox.enqueue(m)))();

  const total = messages.length;
  const started = performance.now();
  worker.start();
  while (outbox.counts().sent < total) {
    const c = outbox.counts();
    if (c.dead || c.retrying) throw new Error(`deliveries failed: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();

  // Pacing, measured where Slack would measure it: arrival times per channel.
  const byChannel = new Map<string, number[]>();
  for (const call of slack.ok("chat.postMessage")) {
    const list = byChannel.get(String(call.params.channel)) ?? [];
    list.push(call.at);
    byChannel.set(String(call.params.channel), list);
  }
  let minGap = Number.POSITIVE_INFINITY;
  let pairs = 0;
  for (const times of byChannel.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) {
      minGap = Math.min(minGap, times[i]! - times[i - 1]!);
      pairs++;
    }
  }
  const perChannel = Math.ceil(mix.slackMessages / mix.slackChannels);
  const floor = (perChannel - 1) * DEFAULT_PACING_MS.slack;
  const posts = slack.ok("chat.postMessage").length;
  console.log(`\n## ${mix.name}`);
  console.log(`- messages: ${total} (${mix.slackMessages} Slack over ${mix.slackChannels} channels, ${mix.emailMessages} email over ${mix.emailChannels} channels)`);
  console.log(`- drained in ${seconds.toFixed(2)} s → ${(total / seconds).toFixed(0)} messages/s`);
  console.log(`- Slack posts received: ${posts}, mails received: ${smtp.mails.length} (duplicates: ${posts + smtp.mails.length - total})`);
  if (pairs) {
    console.log(`- pacing: min gap between two posts to one channel ${minGap} ms over ${pairs} consecutive pairs (limit ${DEFAULT_PACING_MS.slack} ms) → ${minGap >= DEFAULT_PACING_MS.slack ? "HOLDS" : "VIOLATED"}`);
    console.log(`- pacing floor for ${perChannel} messages per channel: ${(floor / 1000).toFixed(1)} s`);
  } else {
    console.log("- pacing: one post per channel, nothing to pace (raw worker throughput)");
  }
  await notifiers.email?.close?.();
  await Promise.all([slack.close(), smtp.close()]);
  db.close();
  rmSync(dir, { recursive: true, force: true });
  if (pairs && minGap < DEFAULT_PACING_MS.slack) process.exitCode = 1;
}

await run({ name: "mixed: paced Slack channels plus email", slackChannels: 100, slackMessages: 800, emailChannels: 4, emailMessages: 200 });
await run({ name: "unpaced: 1,000 Slack channels, one message each", slackChannels: 1000, slackMessages: 1000, emailChannels: 1, emailMessages: 0 });
await run({ name: "email: 1,000 mails over 10 email channels (SMTP pool of 2 connections)", slackChannels: 1, slackMessages: 0, emailChannels: 10, emailMessages: 1000 });
