import { createSqliteMetricsStore } from "../../../src/store/sqlite/metrics-store.js";
import { metricsStoreContract } from "../metrics-store.contract.js";
import { sqliteStore } from "../store-harness.js";

metricsStoreContract(
  "sqlite",
  sqliteStore((db) => {
    let n = 0;
    const job = db.prepare("INSERT INTO jobs (kind, eshop_id, subject, status, run_at, created_at, updated_at) VALUES (?, 1, ?, ?, 0, ?, ?)");
    const delivery = db.prepare(
      `INSERT INTO outbox (dedupe_key, channel, transport, destination, lane, kind, body, summary, status, max_attempts,
                           not_before, next_attempt_at, created_at, updated_at, sent_at)
       VALUES (?, ?, 'slack', '{}', 'l', 'alert', '{}', 's', ?, 8, 0, 0, ?, ?, ?)`,
    );
    const digestRun = db.prepare(
      `INSERT INTO digest_runs (digest, slot, trigger, period_from, period_to, status, created_at, sent_at)
       VALUES (?, NULL, 'manual', ?, ?, ?, ?, ?)`,
    );
    return {
      metrics: createSqliteMetricsStore(db),
      seed: {
        job: (kind, status, createdAt) => void job.run(kind, `s${++n}`, status, createdAt, createdAt),
        delivery: (channel, status, createdAt, sentAt) => Number(delivery.run(`k${++n}`, channel, status, createdAt, sentAt ?? createdAt, sentAt).lastInsertRowid),
        digestRun: (digest, status, createdAt, sentAt) => void digestRun.run(digest, ++n, n, status, createdAt, sentAt),
      },
    };
  }),
);
