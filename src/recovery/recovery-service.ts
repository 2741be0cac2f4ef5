import type { Settings } from "../config/env.js";
import type { Db } from "../db/open-database.js";
import type { Service } from "../engine/services.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { redactSecrets } from "../shared/redact.js";
import { createRepeatingTimer } from "../shared/repeating-timer.js";
import { RecoveryStopped, recoverEshop, type NotificationApi, type RecoveryResult } from "./recover-eshop.js";
import { eshopsToRecover } from "./recovery-eshops.js";
import { summaryLine } from "./recovery-plan.js";
import { SqliteRecoveryStore } from "../store/sqlite/recovery-store.js";

/** Shoptet retries a webhook 3 times, 15 minutes apart: a pass this often catches each give-up soon. */
export const RECOVERY_INTERVAL_MS = 15 * 60_000;

export interface RecoveryServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  api: NotificationApi & { eshopInfo(eshopId: number): Promise<{ eshopId: number }> };
  settings: Pick<Settings, "apiToken" | "apiTokens">;
  /** Scrubbed from logged errors (the API tokens). */
  secrets: readonly string[];
  /** New events were stored: the stock worker and the event rules should look now. */
  wake: () => void;
  intervalMs?: number;
}

export interface RecoveryService extends Service {
  /** One pass over every e-shop with a token (what each tick does); never throws. */
  runOnce(): Promise<RecoveryResult[]>;
}

/**
 * The daemon's own recovery: a pass at start, then every 15 minutes, for every e-shop with an API
 * token. A failing e-shop is logged (without secrets) and tried again at the next tick; nothing
 * here can stop the engine.
 */
export function createRecoveryService(deps: RecoveryServiceDeps): RecoveryService {
  const notice = { saidNoToken: false };
  const loop = createRepeatingTimer(deps.intervalMs ?? RECOVERY_INTERVAL_MS, () => recoveryPass(deps, () => loop.active, notice));

  return {
    name: "recovery",
    start: () => loop.start(),
    async stop() {
      // Not waiting for a pass under way: it may be waiting for Shoptet (retries, a 20 s
      // timeout). It ends at its next page or write (shouldStop), keeping its cursor.
      loop.stop();
    },
    running: () => loop.active,
    async runOnce() {
      const wasActive = loop.active;
      loop.active = true;
      try {
        return await recoveryPass(deps, () => loop.active, notice);
      } finally {
        loop.active = wasActive;
      }
    },
  };
}

/** One pass over every e-shop with a token; stops between e-shops (and inside one) when `active()` turns false. */
async function recoveryPass(deps: RecoveryServiceDeps, active: () => boolean, notice: { saidNoToken: boolean }): Promise<RecoveryResult[]> {
  const { logger } = deps;
  const say = (error: unknown) => redactSecrets((error as Error)?.message ?? String(error), deps.secrets);
  let eshopIds: number[];
  try {
    eshopIds = await eshopsToRecover(deps.settings, new SqliteRecoveryStore(deps.db), deps.api);
  } catch (error) {
    logger.warn({ err: say(error) }, "recovery: cannot tell which e-shop SHOPTET_API_TOKEN belongs to; trying again at the next pass");
    return [];
  }
  if (eshopIds.length === 0 && !notice.saidNoToken) {
    notice.saidNoToken = true;
    logger.info("recovery of missed webhooks is off: no Shoptet API token (SHOPTET_API_TOKEN_<eshopId> or SHOPTET_API_TOKEN)");
  }
  const results: RecoveryResult[] = [];
  for (const eshopId of eshopIds) {
    if (!active()) break;
    try {
      const result = await recoverEshop({ db: deps.db, api: deps.api, clock: deps.clock, logger, onStored: deps.wake, shouldStop: () => !active() }, eshopId);
      results.push(result);
      if (result.taken > 0) logger.info({ eshopId, stored: result.stored, alreadyStored: result.alreadyStored }, summaryLine(result));
    } catch (error) {
      if (error instanceof RecoveryStopped || !active()) break;
      logger.warn({ eshopId, err: say(error) }, "recovery of missed webhooks failed; trying again at the next pass");
    }
  }
  return results;
}
