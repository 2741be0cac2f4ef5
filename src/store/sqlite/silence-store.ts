import type { Db } from "../../db/open-database.js";
import type { Silence } from "../../silences/silence-match.js";
import type { ExpireResult, NewSilence, PendingAlert, SilenceStore } from "../../silences/silence-store.js";

interface SilenceRow {
  id: number;
  products: string;
  rule: string | null;
  eshop_id: number | null;
  reason: string;
  created_by: string;
  created_at: number;
  ends_at: number;
  expired_at: number | null;
}

/**
 * Writes to the silences through this connection, counted: a reader on the same connection (the
 * inline engine) cannot see them in `PRAGMA data_version`, which only counts other connections' commits.
 */
const localWrites = new WeakMap<Db, number>();

const dataVersion = new WeakMap<Db, { get(): unknown }>();

/** Changes when silences may have changed: other connections' commits, or this connection's silence writes. */
function silencesVersion(db: Db): string {
  let statement = dataVersion.get(db);
  if (!statement) {
    // Prepared once: db.pragma() prepares anew on every call (about 10 µs, per alert message).
    statement = db.prepare("PRAGMA data_version").pluck();
    dataVersion.set(db, statement);
  }
  return `${statement.get() as number}:${localWrites.get(db) ?? 0}`;
}

function toSilence(r: SilenceRow): Silence {
  return {
    id: r.id,
    products: JSON.parse(r.products) as string[],
    rule: r.rule,
    eshopId: r.eshop_id,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    endsAt: r.ends_at,
    expiredAt: r.expired_at,
  };
}

/** SilenceStore on SQLite: the silences table and the alerts' silenced_by and silence_pending columns. */
export class SqliteSilenceStore implements SilenceStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      insert: db.prepare<unknown[], SilenceRow>(
        `INSERT INTO silences (products, rule, eshop_id, reason, created_by, created_at, ends_at, expired_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL) RETURNING *`,
      ),
      get: db.prepare<[number], SilenceRow>("SELECT * FROM silences WHERE id = ?"),
      active: db.prepare<[number], SilenceRow>("SELECT * FROM silences WHERE expired_at IS NULL AND ends_at > ? ORDER BY ends_at, id"),
      recent: db.prepare<[number], SilenceRow>("SELECT * FROM silences ORDER BY id DESC LIMIT ?"),
      expire: db.prepare("UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?"),
      hold: db.prepare(
        `UPDATE alerts SET silenced_by = ?, silence_pending = CASE WHEN state = 'open' AND kind = 'stock' THEN 1 ELSE silence_pending END
         WHERE id = ?`,
      ),
      note: db.prepare("UPDATE alerts SET silenced_by = ? WHERE id = ?"),
      pending: db.prepare<[number], { silence_pending: number }>("SELECT silence_pending FROM alerts WHERE id = ?"),
      pendingPage: db.prepare<[number, number], { id: number; rule: string; rule_checksum: string; kind: "stock" | "event"; eshop_id: number; subject: string; suppressed: number; last_values: string }>(
        `SELECT id, rule, rule_checksum, kind, eshop_id, subject, suppressed, last_values FROM alerts
         WHERE state = 'open' AND silence_pending = 1 AND id > ? ORDER BY id LIMIT ?`,
      ),
      release: db.prepare(
        "UPDATE alerts SET silence_pending = 0, last_notified_at = ?, updated_at = ? WHERE id = ? AND state = 'open' AND silence_pending = 1",
      ),
    };
  }

  add(input: NewSilence): Silence {
    const row = this.s.insert.get(
      JSON.stringify(input.products),
      input.rule,
      input.eshopId,
      input.reason,
      input.createdBy,
      input.createdAt,
      input.endsAt,
    )!;
    this.wrote();
    return toSilence(row);
  }

  version(): string {
    return silencesVersion(this.db);
  }

  get(id: number): Silence | undefined {
    const row = this.s.get.get(id);
    return row ? toSilence(row) : undefined;
  }

  active(now: number): Silence[] {
    return this.s.active.all(now).map(toSilence);
  }

  recent(limit: number): Silence[] {
    return this.s.recent.all(limit).map(toSilence);
  }

  expire(id: number, now: number): ExpireResult {
    const changed = this.s.expire.run(now, id, now).changes;
    if (changed === 1) {
      this.wrote();
      return "expired";
    }
    return this.s.get.get(id) ? "over" : "unknown";
  }

  holdOpen(alertId: number, silenceId: number): void {
    this.s.hold.run(silenceId, alertId);
  }

  noteSilenced(alertId: number, silenceId: number): void {
    this.s.note.run(silenceId, alertId);
  }

  isPending(alertId: number): boolean {
    return this.s.pending.get(alertId)?.silence_pending === 1;
  }

  pendingPage(afterId: number, limit: number): PendingAlert[] {
    return this.s.pendingPage.all(afterId, limit).map((r) => ({
      id: r.id,
      rule: r.rule,
      checksum: r.rule_checksum,
      kind: r.kind,
      eshopId: r.eshop_id,
      subject: r.subject,
      suppressed: r.suppressed === 1,
      lastValues: JSON.parse(r.last_values) as unknown,
    }));
  }

  release(alertId: number, now: number): boolean {
    return this.s.release.run(now, now, alertId).changes === 1;
  }

  private wrote(): void {
    localWrites.set(this.db, (localWrites.get(this.db) ?? 0) + 1);
  }
}
