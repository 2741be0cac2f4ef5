/**
 * How long one Slack click holds the write lock: Acknowledge on a message showing N open alerts
 * (a group), on a real SQLite file. `npx tsx bench/slack-actions.ts`
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../src/db/open-database.js";
import { lockHoldsOf } from "../src/db/write-transaction.js";
import { createOutbox } from "../src/outbox/create-outbox.js";
import type { AlertMessage } from "../src/outbox/outbox-types.js";
import { FixedClock } from "../src/shared/clock.js";
import { createAlertActions } from "../src/slack/act-on-alerts.js";

async function run(n: number): Promise<void> {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), "sw-bench-")), "b.db"));
  const clock = new FixedClock(Date.UTC(2026, 11, 5, 9));
  const outbox = createOutbox(db, clock);
  const entries: { incidentKey: string; body: AlertMessage }[] = [];
  const insert = db.prepare(
    `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, last_notified_at, reminders, suppressed, last_values, updated_at)
     VALUES ('sold-out', 'c', 'stock', 1, ?, 'critical', 'open', 0, 0, 0, 0, '{}', 0) RETURNING id`,
  );
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = (insert.get(`KAV-${i}`) as { id: number }).id;
      const body: AlertMessage = {
        kind: "alert", rule: "sold-out", severity: "critical", transition: "open", alertId: id, actions: true,
        subject: { eshopId: 1, code: `KAV-${i}`, name: `Coffee ${i} 250 g`, quantity: 0, minStockSupply: 5, level: "soldOut" },
        summary: `Sold out: KAV-${i} Coffee ${i} 250 g (0 left, minimum 5)`,
      };
      entries.push({ incidentKey: `alert:${id}`, body });
    }
    const m = db.prepare("INSERT INTO slack_messages (channel, channel_id, ts, entries, created_at, updated_at) VALUES ('#w', 'C1', '1.1', ?, 0, 0) RETURNING id").get(JSON.stringify(entries)) as { id: number };
    const map = db.prepare("INSERT INTO slack_incidents (incident_key, channel, slack_message_id) VALUES (?, '#w', ?)");
    for (const e of entries) map.run(e.incidentKey, m.id);
  })();
  const act = createAlertActions({ db, clock, enqueue: (m) => void outbox.enqueue(m) });
  const started = performance.now();
  const outcome = await act({ action: "ack", snoozeMs: null, value: "ack", user: { id: "U1", name: "jana" }, channelId: "C1", messageTs: "1.1", actionTs: "1.000001" });
  const ms = performance.now() - started;
  const hold = lockHoldsOf(db);
  console.log(`${String(n).padStart(4)} alerts: ${outcome?.changed.length} changed, click ${ms.toFixed(1)} ms, write lock held ${hold.maxMs.toFixed(1)} ms`);
  db.close();
}

for (const n of [1, 15, 60, 500]) await run(n);
