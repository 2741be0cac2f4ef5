import type { Notifier, OutgoingMessage, Transport } from "../notifiers/notifier.js";
import type { Clock } from "../shared/clock.js";
import { coerceError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import type { Destination } from "./outbox-types.js";

export interface StorageFailureReporterDeps {
  logger: Logger;
  clock: Clock;
  notifiers: Partial<Record<Transport, Notifier>>;
  /** Where to tell people (usually every channel in the rules file). */
  destinations: readonly { channel: string; destination: Destination }[];
  secrets: readonly string[];
  /** At most one Slack/email notice per this interval (default 10 minutes). */
  notifyIntervalMs?: number;
  /** At most one error log line per this interval; the rest are counted (default 10 s). */
  logIntervalMs?: number;
}

export interface StorageFailureReporter {
  /** Call when the database cannot be written. Never throws; resolves when any notice is sent. */
  reportStorageFailure(error: unknown): Promise<void>;
}

const HOW_TO_FIX = "check free disk space, the permissions of the STOCKWATCH_DB file and its folder, and the log";

/**
 * The emergency path: when the database cannot be written, the outbox cannot be used either, so
 * this logs at error level and sends a notice straight through the notifiers, rate-limited.
 */
export function createStorageFailureReporter(deps: StorageFailureReporterDeps): StorageFailureReporter {
  const notifyEvery = deps.notifyIntervalMs ?? 600_000;
  const logEvery = deps.logIntervalMs ?? 10_000;
  const log = deps.logger.child({ component: "storage-failure" });
  let lastLog = Number.NEGATIVE_INFINITY;
  let lastNotice = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  let seq = 0;

  return {
    async reportStorageFailure(error) {
      const now = deps.clock.now();
      const reason = redactSecrets(coerceError(error).message, deps.secrets);
      if (now - lastLog >= logEvery) {
        log.error({ err: reason, suppressed }, `cannot write the database: ${HOW_TO_FIX}`);
        lastLog = now;
        suppressed = 0;
      } else {
        suppressed++;
      }
      if (now - lastNotice < notifyEvery) return;
      lastNotice = now;
      const text = `stockwatch cannot write its database (${reason}). Webhooks are refused with 503 so Shoptet retries them, and alerts cannot be queued. Fix: ${HOW_TO_FIX}.`;
      const sends = deps.destinations.map(async ({ channel, destination }) => {
        const notifier = deps.notifiers[destination.type];
        if (!notifier) return;
        const message: OutgoingMessage = {
          id: 0,
          key: `storage-failure:${now}:${++seq}`,
          channel,
          destination,
          attempt: 1,
          items: [
            {
              outboxId: 0,
              incidentKey: null,
              body: {
                kind: "digest",
                digest: "storage-failure",
                subject: "stockwatch cannot write its database",
                text,
                html: `<p>${text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</p>`,
                periodFrom: now,
                periodTo: now,
              },
            },
          ],
        };
        try {
          const result = await notifier.send(message);
          if (!result.ok) log.error({ channel, err: redactSecrets(result.error, deps.secrets) }, "could not send the storage failure notice");
        } catch (e) {
          log.error({ channel, err: redactSecrets(coerceError(e).message, deps.secrets) }, "could not send the storage failure notice");
        }
      });
      await Promise.all(sends);
    },
  };
}
