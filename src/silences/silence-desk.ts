import type { Db } from "../db/open-database.js";
import { parseSilenceRequest, type SilenceRequest } from "./silence-input.js";
import type { Silence } from "./silence-match.js";
import { SqliteSilenceStore } from "../store/sqlite/silence-store.js";
import type { ExpireResult, SilenceStore } from "./silence-store.js";
import { silenceView, type SilenceView } from "./silence-view.js";

/** What the dashboard and GET /api/silences do with silences; times are passed in. */
export interface SilenceDesk {
  /** The silences in force, soonest end first. */
  active(now: number): SilenceView[];
  /** The newest silences, ended ones too. */
  recent(now: number, limit: number): SilenceView[];
  add(request: SilenceRequest, now: number, createdBy: string): { ok: true; silence: Silence } | { ok: false; message: string };
  expire(id: number, now: number): ExpireResult;
}

export function createSilenceDesk(db: Db): SilenceDesk {
  const repo: SilenceStore = new SqliteSilenceStore(db);
  return {
    active: (now) => repo.active(now).map((s) => silenceView(s, now)),
    recent: (now, limit) => repo.recent(limit).map((s) => silenceView(s, now)),
    add(request, now, createdBy) {
      const input = parseSilenceRequest(request, now, createdBy);
      return input.ok ? { ok: true, silence: repo.add(input.silence) } : input;
    },
    expire: (id, now) => repo.expire(id, now),
  };
}
