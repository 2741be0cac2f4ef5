import { SqliteDigestReadStore } from "../../../src/store/sqlite/digest-read-store.js";
import { SqliteDigestRunStore } from "../../../src/store/sqlite/digest-run-store.js";
import { SqliteEventStore } from "../../../src/store/sqlite/event-store.js";
import { digestStoreContract } from "../digest-store.contract.js";
import { sqliteStore } from "../store-harness.js";

let outboxRow = 0;

digestStoreContract(
  "sqlite",
  sqliteStore((db) => {
    const outbox = db.prepare(
      `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, status, attempts, max_attempts,
                           not_before, next_attempt_at, last_error, created_at, updated_at)
       VALUES (?, ?, 'slack', '{}', 'l', ?, '{}', ?, ?, ?, 8, 0, 0, ?, ?, ?)`,
    );
    return {
      runs: new SqliteDigestRunStore(db),
      reads: (eshops) => new SqliteDigestReadStore(db, eshops),
      events: new SqliteEventStore(db),
      seed: {
        alert(a) {
          db.prepare(
            `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, resolved_at, last_values, updated_at, acknowledged_by)
             VALUES (?, 'x', ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?)`,
          ).run(a.rule, a.kind, a.eshopId, a.subject, a.severity, a.state, a.openedAt, a.resolvedAt, a.openedAt, a.acknowledgedBy ?? null);
        },
        deadDelivery(d) {
          outbox.run(`k${++outboxRow}`, d.channel, d.kind, d.summary, "dead", d.attempts, d.lastError, d.at, d.at);
        },
        sentDelivery(at) {
          outbox.run(`k${++outboxRow}`, "ops", "alert", "sent", "sent", 1, null, at, at);
        },
      },
    };
  }),
);
