import type { Db } from "../../db/open-database.js";
import type { Severity } from "../../outbox/outbox-types.js";
import type {
  AlertQuery,
  AlertStore,
  AlertView,
  NewEventAlert,
  NewStockAlert,
  OpenAlertRow,
  ResolvedReason,
} from "../../rules/alert-store.js";
import type { AlertState } from "../../rules/alert-state.js";
import type { OpenAlert } from "../../rules/evaluate-stock.js";

interface AlertRow {
  id: number;
  rule: string;
  rule_checksum: string;
  kind: "stock" | "event";
  eshop_id: number;
  subject: string;
  severity: Severity;
  state: "open" | "resolved";
  opened_at: number;
  resolved_at: number | null;
  resolved_reason: ResolvedReason | null;
  last_notified_at: number | null;
  reminders: number;
  suppressed: number;
  last_values: string;
  event_id: number | null;
  acknowledged_by: string | null;
  acknowledged_by_id: string | null;
  acknowledged_at: number | null;
  snoozed_until: number | null;
  silenced_by?: number | null;
}

/** Newest first; the data behind `GET /api/alerts?state=open|resolved` (`AlertStore.list`, for callers holding only the database). */
export function listAlerts(db: Db, query: AlertQuery): AlertView[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (query.state !== undefined) (where.push("state = ?"), params.push(query.state));
  if (query.rule !== undefined) (where.push("rule = ?"), params.push(query.rule));
  if (query.eshopId !== undefined) (where.push("eshop_id = ?"), params.push(query.eshopId));
  if (query.before !== undefined) (where.push("id < ?"), params.push(query.before));
  params.push(Math.max(1, Math.min(query.limit, 1000)));
  const rows = db
    .prepare(`SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`)
    .all(...params) as AlertRow[];
  return rows.map(toView);
}

function toView(r: AlertRow): AlertView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: r.id,
    rule: r.rule,
    kind: r.kind,
    eshopId: r.eshop_id,
    subject: r.subject,
    severity: r.severity,
    state: r.state,
    openedAt: new Date(r.opened_at).toISOString(),
    resolvedAt: iso(r.resolved_at),
    resolvedReason: r.resolved_reason,
    lastNotifiedAt: iso(r.last_notified_at),
    reminders: r.reminders,
    suppressed: r.suppressed === 1,
    lastValues: JSON.parse(r.last_values) as unknown,
    eventId: r.event_id,
    acknowledgedBy: r.acknowledged_by,
    acknowledgedById: r.acknowledged_by_id,
    acknowledgedAt: iso(r.acknowledged_at),
    snoozedUntil: iso(r.snoozed_until),
    silencedBy: r.silenced_by ?? null,
  };
}

function toOpen(r: AlertRow): OpenAlert {
  return {
    id: r.id,
    rule: r.rule,
    checksum: r.rule_checksum,
    eshopId: r.eshop_id,
    subject: r.subject,
    openedAt: r.opened_at,
    lastNotifiedAt: r.last_notified_at ?? r.opened_at,
    reminders: r.reminders,
    suppressed: r.suppressed === 1,
    acknowledged: r.acknowledged_by === null ? null : { by: r.acknowledged_by_id ?? r.acknowledged_by, at: r.acknowledged_at ?? r.opened_at },
    snoozedUntil: r.snoozed_until,
  };
}

/** AlertStore on SQLite: alerts, alert_cooldowns and rule_versions. Statements are prepared once. */
export class SqliteAlertStore implements AlertStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      openForSubject: db.prepare<[number, string], AlertRow>(
        "SELECT * FROM alerts WHERE eshop_id = ? AND subject = ? AND state = 'open' AND kind = 'stock'",
      ),
      allOpen: db.prepare<[], AlertRow>("SELECT * FROM alerts WHERE state = 'open' ORDER BY id"),
      openPage: db.prepare<[number, number], AlertRow>("SELECT * FROM alerts WHERE state = 'open' AND id > ? ORDER BY id LIMIT ?"),
      insert: db.prepare<unknown[], { id: number }>(
        `INSERT INTO alerts (rule, rule_checksum, kind, eshop_id, subject, severity, state, opened_at, resolved_at,
                             resolved_reason, last_notified_at, reminders, suppressed, last_values, event_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING
         RETURNING id`,
      ),
      update: db.prepare(
        `UPDATE alerts SET last_notified_at = ?, reminders = ?, suppressed = ?, last_values = ?, updated_at = ?
         WHERE id = ? AND state = 'open'`,
      ),
      resolve: db.prepare(
        `UPDATE alerts SET state = 'resolved', resolved_at = ?, resolved_reason = ?, last_values = coalesce(?, last_values),
                           updated_at = ?
         WHERE id = ? AND state = 'open'`,
      ),
      cooldown: db.prepare<[string, number, string], { rule_checksum: string; last_fired_at: number }>(
        "SELECT rule_checksum, last_fired_at FROM alert_cooldowns WHERE rule = ? AND eshop_id = ? AND subject = ?",
      ),
      fired: db.prepare(
        `INSERT INTO alert_cooldowns (rule, eshop_id, subject, rule_checksum, last_fired_at, held) VALUES (?, ?, ?, ?, ?, 0)
         ON CONFLICT (rule, eshop_id, subject) DO UPDATE
         SET rule_checksum = excluded.rule_checksum, last_fired_at = excluded.last_fired_at, held = 0`,
      ),
      held: db.prepare("UPDATE alert_cooldowns SET held = held + 1 WHERE rule = ? AND eshop_id = ? AND subject = ?"),
      versions: db.prepare<[], { rule: string; checksum: string }>("SELECT rule, checksum FROM rule_versions"),
      upsertVersion: db.prepare(
        `INSERT INTO rule_versions (rule, checksum, applied_at) VALUES (?, ?, ?)
         ON CONFLICT (rule) DO UPDATE SET checksum = excluded.checksum, applied_at = excluded.applied_at`,
      ),
      deleteVersion: db.prepare("DELETE FROM rule_versions WHERE rule = ?"),
      deleteCooldowns: db.prepare("DELETE FROM alert_cooldowns WHERE rule = ? AND rule_checksum <> ?"),
    };
  }

  list(query: AlertQuery): AlertView[] {
    return listAlerts(this.db, query);
  }

  openForSubject(eshopId: number, subject: string): OpenAlert[] {
    return this.s.openForSubject.all(eshopId, subject).map(toOpen);
  }

  allOpen(): OpenAlertRow[] {
    return this.s.allOpen.all().map((r) => ({ ...toOpen(r), kind: r.kind, lastValues: JSON.parse(r.last_values) as unknown }));
  }

  openPage(afterId: number, limit: number): OpenAlertRow[] {
    return this.s.openPage.all(afterId, limit).map((r) => ({ ...toOpen(r), kind: r.kind, lastValues: JSON.parse(r.last_values) as unknown }));
  }

  openStock(input: NewStockAlert): number {
    const row = this.s.insert.get(
      input.rule,
      input.checksum,
      "stock",
      input.eshopId,
      input.subject,
      input.severity,
      "open",
      input.state.openedAt,
      null,
      null,
      input.state.lastNotifiedAt,
      input.state.reminders,
      input.state.suppressed ? 1 : 0,
      JSON.stringify(input.values),
      null,
      input.now,
    );
    if (!row) throw new Error(`alert for rule ${input.rule} and ${input.subject} is already open`);
    return row.id;
  }

  update(id: number, state: AlertState, values: unknown, now: number): void {
    this.s.update.run(state.lastNotifiedAt, state.reminders, state.suppressed ? 1 : 0, JSON.stringify(values), now, id);
  }

  resolve(id: number, now: number, reason: ResolvedReason, values?: unknown): void {
    this.s.resolve.run(now, reason, values === undefined ? null : JSON.stringify(values), now, id);
  }

  recordEventAlert(input: NewEventAlert): number | null {
    const row = this.s.insert.get(
      input.rule,
      input.checksum,
      "event",
      input.eshopId,
      input.subject,
      input.severity,
      "resolved",
      input.now,
      input.now,
      "event",
      input.now,
      0,
      0,
      JSON.stringify(input.values),
      input.eventId,
      input.now,
    );
    return row ? row.id : null;
  }

  lastFiredAt(rule: string, checksum: string, eshopId: number, subject: string): number | null {
    const row = this.s.cooldown.get(rule, eshopId, subject);
    return row && row.rule_checksum === checksum ? row.last_fired_at : null;
  }

  markFired(rule: string, checksum: string, eshopId: number, subject: string, at: number): void {
    this.s.fired.run(rule, eshopId, subject, checksum, at);
  }

  markHeld(rule: string, eshopId: number, subject: string): void {
    this.s.held.run(rule, eshopId, subject);
  }

  appliedVersions(): Map<string, string> {
    return new Map(this.s.versions.all().map((r) => [r.rule, r.checksum]));
  }

  setVersion(rule: string, checksum: string, now: number): void {
    this.s.upsertVersion.run(rule, checksum, now);
    this.s.deleteCooldowns.run(rule, checksum);
  }

  removeVersion(rule: string): void {
    this.s.deleteVersion.run(rule);
    this.s.deleteCooldowns.run(rule, "");
  }
}
