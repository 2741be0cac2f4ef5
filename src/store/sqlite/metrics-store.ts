import type { Db } from "../../db/open-database.js";
import type { CountedRows, LabelledCount, MetricsStore, SentDelivery } from "../../metrics/metrics-store.js";

/** Each query's columns but `n` are its metric's labels. */
const COUNT_SQL: Record<CountedRows, string> = {
  jobs: "SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status",
  deliveries: "SELECT channel, status, count(*) AS n FROM outbox GROUP BY channel, status",
  alerts: "SELECT rule, state, count(*) AS n FROM alerts GROUP BY rule, state",
  products: "SELECT level, count(*) AS n FROM stock_products GROUP BY level",
  digestRuns: "SELECT digest, status, count(*) AS n FROM digest_runs GROUP BY digest, status",
  recoveredEvents: "SELECT event, n FROM recovered_event_counts",
};

/** "Successful" as DigestRunRepo says: queued (sent_at is when it entered the outbox) or empty. */
const LAST_DIGEST_SQL = `SELECT digest, max(coalesce(sent_at, created_at)) AS at FROM digest_runs
  WHERE status IN ('queued', 'empty') GROUP BY digest ORDER BY digest`;

const SENT_SQL = `SELECT id, channel, created_at AS createdAt, sent_at AS sentAt FROM outbox
  WHERE status = 'sent' AND sent_at >= ? ORDER BY sent_at, id`;

/** The MetricsStore on SQLite. A table an older schema lacks reads as empty, not as a failed scrape. */
export function createSqliteMetricsStore(db: Db): MetricsStore {
  const all = <T>(sql: string, ...params: unknown[]): T[] => {
    try {
      return db.prepare(sql).all(...params) as T[];
    } catch {
      return []; // a table another version has not created yet
    }
  };
  const value = (sql: string): number | null => all<{ v: number | null }>(sql)[0]?.v ?? null;
  return {
    counts(what: CountedRows): LabelledCount[] {
      return all<Record<string, string | number>>(COUNT_SQL[what]).map(({ n, ...labels }) => ({
        labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])),
        n: Number(n),
      }));
    },
    oldestPendingJobAt: () => value("SELECT min(created_at) AS v FROM jobs WHERE status IN ('pending', 'running')"),
    lastSentAt: () => value("SELECT max(sent_at) AS v FROM outbox WHERE status = 'sent'"),
    sentSince: (since: number) => all<SentDelivery>(SENT_SQL, since),
    lastDigestSuccess: () => all<{ digest: string; at: number }>(LAST_DIGEST_SQL),
  };
}
