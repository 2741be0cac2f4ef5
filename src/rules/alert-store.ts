import type { Severity } from "../outbox/outbox-types.js";
import type { AlertState } from "./alert-state.js";
import type { OpenAlert } from "./evaluate-stock.js";

export type ResolvedReason = "condition" | "rule-changed" | "rule-removed" | "event";

/** An alert as `GET /api/alerts` shows it. Times are ISO strings, like the events API. */
export interface AlertView {
  id: number;
  rule: string;
  kind: "stock" | "event";
  eshopId: number;
  subject: string;
  severity: Severity;
  state: "open" | "resolved";
  openedAt: string;
  resolvedAt: string | null;
  resolvedReason: ResolvedReason | null;
  lastNotifiedAt: string | null;
  reminders: number;
  suppressed: boolean;
  lastValues: unknown;
  eventId: number | null;
  /** Acknowledged in Slack: by whom (Slack user name) and when; snoozed until (src/slack/). */
  acknowledgedBy: string | null;
  /** The Slack user id of who acknowledged (U123). */
  acknowledgedById: string | null;
  acknowledgedAt: string | null;
  snoozedUntil: string | null;
  /** The silence that last held back one of its messages (src/silences/); null: none did. */
  silencedBy: number | null;
}

export interface AlertQuery {
  state?: "open" | "resolved" | undefined;
  rule?: string | undefined;
  eshopId?: number | undefined;
  /** Page back from this id (newest first). */
  before?: number | undefined;
  limit: number;
}

/** An open alert with its kind and last values (for reconciling and reminders). */
export type OpenAlertRow = OpenAlert & { kind: "stock" | "event"; lastValues: unknown };

export interface NewStockAlert {
  rule: string;
  checksum: string;
  eshopId: number;
  subject: string;
  severity: Severity;
  state: AlertState;
  values: unknown;
  now: number;
}

export interface NewEventAlert {
  rule: string;
  checksum: string;
  eshopId: number;
  subject: string;
  severity: Severity;
  eventId: number;
  values: unknown;
  now: number;
}

/**
 * AlertStore keeps alerts, event-rule cooldowns and applied rule versions. Every method is one
 * statement (setVersion and removeVersion two); the engine groups them into its transaction.
 * Times are passed in (epoch ms). SQLite: src/store/sqlite/alert-store.ts.
 */
export interface AlertStore {
  /** Newest first; the data behind `GET /api/alerts?state=open|resolved` (at most 1,000). */
  list(query: AlertQuery): AlertView[];
  /** The open stock alerts of one subject. */
  openForSubject(eshopId: number, subject: string): OpenAlert[];
  /** Every open alert, in id order. */
  allOpen(): OpenAlertRow[];
  /** Open alerts after `afterId`, in id order, at most `limit` (the engine walks them in slices). */
  openPage(afterId: number, limit: number): OpenAlertRow[];
  /** Opens a stock alert and returns its id; throws when one is already open for the rule and subject. */
  openStock(input: NewStockAlert): number;
  /** A new state and values for an open alert (a resolved one stays as it is). */
  update(id: number, state: AlertState, values: unknown, now: number): void;
  /** Resolves an open alert; `values` (when given) become its last values. */
  resolve(id: number, now: number, reason: ResolvedReason, values?: unknown): void;
  /**
   * Records an event rule firing: an alert that is resolved as it opens (an event has no lasting
   * condition). Returns null when this rule already fired for this event.
   */
  recordEventAlert(input: NewEventAlert): number | null;
  /** When the rule (at this checksum) last fired for the subject; null: never, or under another checksum. */
  lastFiredAt(rule: string, checksum: string, eshopId: number, subject: string): number | null;
  markFired(rule: string, checksum: string, eshopId: number, subject: string, at: number): void;
  /** A firing held back by the cooldown: counted. */
  markHeld(rule: string, eshopId: number, subject: string): void;
  /** Rule name → checksum of the rules last applied. */
  appliedVersions(): Map<string, string>;
  /** Records the rule's applied version and forgets its cooldowns under other checksums. */
  setVersion(rule: string, checksum: string, now: number): void;
  /** Forgets a removed rule's version and cooldowns. */
  removeVersion(rule: string): void;
}
