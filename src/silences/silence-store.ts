import type { Silence } from "./silence-match.js";

/** A silence to add: every field but the id and the expiry (a new silence runs its course). */
export type NewSilence = Omit<Silence, "id" | "expiredAt">;

/** An open alert whose open message a silence held back. */
export interface PendingAlert {
  id: number;
  rule: string;
  checksum: string;
  kind: "stock" | "event";
  eshopId: number;
  subject: string;
  suppressed: boolean;
  lastValues: unknown;
}

export type ExpireResult = "expired" | "unknown" | "over";

/**
 * SilenceStore keeps silences, and the marks they leave on alerts (`silenced_by`, the open message
 * still owed). Every method is one statement; times are passed in. SQLite: src/store/sqlite/silence-store.ts.
 */
export interface SilenceStore {
  add(input: NewSilence): Silence;
  get(id: number): Silence | undefined;
  /** The silences in force at `now` (not expired by hand, not over), soonest end first. */
  active(now: number): Silence[];
  /** The newest silences, whatever their state (`silence list --all`). */
  recent(limit: number): Silence[];
  /** Ends a silence now; "over" when it had already ended (by time or by hand), "unknown" when there is no such id. */
  expire(id: number, now: number): ExpireResult;
  /**
   * Changes whenever the silences may have changed: another connection's commit, or a silence
   * written through this store's database connection (cheap: asked per alert message).
   */
  version(): string;
  /** A silence held back this alert's open message: the alert owes it while it stays open. */
  holdOpen(alertId: number, silenceId: number): void;
  /** A silence held back a reminder (or an event alert's message): remembered for the API. */
  noteSilenced(alertId: number, silenceId: number): void;
  /** Whether the alert's open message is still owed (a silence held it back). */
  isPending(alertId: number): boolean;
  /** Open alerts that owe their open message, after `afterId` in id order. */
  pendingPage(afterId: number, limit: number): PendingAlert[];
  /** The owed open message is being sent now: reminders count from here. False when it was not owed any more. */
  release(alertId: number, now: number): boolean;
}
