import type { Db } from "../db/open-database.js";
import type { NewOutboxMessage } from "../outbox/outbox-types.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../shared/logger.js";
import { compileSilence, coveringSilence, type CompiledSilence } from "./silence-match.js";
import { SqliteSilenceStore } from "../store/sqlite/silence-store.js";
import type { SilenceStore } from "./silence-store.js";

/**
 * The silences in force, read once and kept until the database says they may have changed
 * (`SilenceStore.version`: another connection committed — the CLI, the dashboard's connection, the
 * webhook receiver — or this one wrote a silence). The engine asks per message; a query per alert
 * would cost a statement for every decision, so the rows are read at most once per change and
 * their globs compiled once per silence.
 */
export interface ActiveSilences {
  at(now: number): readonly CompiledSilence[];
}

export function createActiveSilences(db: Db, repo: SilenceStore = new SqliteSilenceStore(db)): ActiveSilences {
  let version: string | null = null;
  let loadedAt = 0;
  let current: CompiledSilence[] = [];
  const compiled = new Map<number, CompiledSilence>();
  return {
    at(now) {
      const v = repo.version();
      // The silences over by `now` were left out when they were read; one read later than they may also be missing.
      if (v !== version || now < loadedAt) {
        const rows = repo.active(now);
        const next = new Map<number, CompiledSilence>();
        current = rows.map((s) => {
          const c = compiled.get(s.id);
          const fresh = c && c.expiredAt === s.expiredAt && c.endsAt === s.endsAt ? c : compileSilence(s);
          next.set(s.id, fresh);
          return fresh;
        });
        compiled.clear();
        for (const [id, c] of next) compiled.set(id, c);
        version = v;
        loadedAt = now;
      }
      return current;
    },
  };
}

/**
 * Wraps the engine's `enqueue`: an alert message that an active silence covers is not enqueued,
 * and the alert row says so (`silenced_by`; an open alert held back owes its open message, see
 * silence-release.ts). Messages of an alert whose open message is still owed are held back too,
 * silence or not: nobody was told it opened, so a reminder or a resolve would make no sense (the
 * owed open message is sent by the release step when it still holds). A resolve of an alert that
 * was announced before the silence began is sent: it corrects a message people already saw.
 * Runs inside the engine's transaction; the rows it marks change with the alert.
 */
export function silenceGate(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  enqueue: (message: NewOutboxMessage) => void;
  silences?: ActiveSilences;
}): (message: NewOutboxMessage) => void {
  const repo: SilenceStore = new SqliteSilenceStore(deps.db);
  const silences = deps.silences ?? createActiveSilences(deps.db, repo);
  return (message) => {
    const body = message.body;
    if (body.kind !== "alert") {
      deps.enqueue(message);
      return;
    }
    const { alertId, transition } = body;
    if (transition === "open" || transition === "remind") {
      const now = deps.clock.now();
      const silence = coveringSilence(silences.at(now), { rule: body.rule, eshopId: body.subject.eshopId, subject: body.subject.code }, now);
      if (silence) {
        if (transition === "open") repo.holdOpen(alertId, silence.id);
        else repo.noteSilenced(alertId, silence.id);
        deps.logger.debug({ alertId, rule: body.rule, subject: body.subject.code, transition, silence: silence.id }, "alert message silenced");
        return;
      }
    }
    if (transition !== "open" && repo.isPending(alertId)) {
      deps.logger.debug({ alertId, rule: body.rule, subject: body.subject.code, transition }, "alert message held: its open message is still owed");
      return;
    }
    deps.enqueue(message);
  };
}
