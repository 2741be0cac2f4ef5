import { SqliteAlertActionStore } from "../../../src/store/sqlite/alert-action-store.js";
import { SqliteAlertStore } from "../../../src/store/sqlite/alert-store.js";
import { SqliteSlackThreadStore } from "../../../src/store/sqlite/slack-thread-store.js";
import { alertActionStoreContract } from "../alert-action-store.contract.js";
import { sqliteStore } from "../store-harness.js";

alertActionStoreContract(
  "sqlite",
  sqliteStore((db) => {
    const outbox = db.prepare(
      `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, status, attempts, max_attempts,
                           not_before, next_attempt_at, last_error, created_at, updated_at)
       VALUES (?, ?, 'slack', ?, 'l', 'alert', '{}', 's', 'sent', 1, 8, 0, 0, NULL, 0, 0)`,
    );
    return {
      actions: new SqliteAlertActionStore(db),
      alerts: new SqliteAlertStore(db),
      threads: new SqliteSlackThreadStore(db),
      seed: {
        slackDelivery(dedupeKey, channel, slackChannel) {
          outbox.run(dedupeKey, channel, JSON.stringify({ type: "slack", channel: slackChannel }));
        },
      },
    };
  }),
);
