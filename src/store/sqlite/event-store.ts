import type { Db } from "../../db/open-database.js";
import type { EventQuery, EventSource, EventStore, IncomingEvent, InsertResult, StoredEvent } from "../../events/event-store.js";

/** EventStore on SQLite: the events table, and the jobs table for the jobs they ask for. */
export class SqliteEventStore implements EventStore {
  private readonly insertEvent;
  private readonly insertRecovered;
  private readonly findByKey;
  private readonly enqueueJob;
  private readonly batch;

  constructor(
    private readonly db: Db,
    /** How many of the newest ids a filter by type walks before it asks the type index (see list). */
    private readonly recentIds = 5000,
  ) {
    this.insertEvent = db.prepare<
      [number, string, string, string, number | null, number, Buffer, number, string | null, Buffer],
      { id: number }
    >(
      `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at,
                           dedupe_key, known, payload, raw)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
    );
    // The receiver's statement above does not name `source` (its DEFAULT says 'webhook'): recovery
    // has its own, so the hot path stays exactly as it was.
    this.insertRecovered = db.prepare<
      [number, string, string, string, number | null, number, Buffer, number, string | null, Buffer],
      { id: number }
    >(
      `INSERT INTO events (eshop_id, event, event_instance, event_created, event_created_ms, received_at,
                           dedupe_key, known, payload, raw, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'recovered')
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING id`,
    );
    this.findByKey = db.prepare<[Buffer], { id: number }>("SELECT id FROM events WHERE dedupe_key = ?");
    // One pending job per subject: a webhook that arrives while one waits folds into it.
    this.enqueueJob = db.prepare(
      `INSERT INTO jobs (kind, eshop_id, subject, event_id, run_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (kind, eshop_id, subject) WHERE status = 'pending'
       DO UPDATE SET coalesced = coalesced + 1, event_id = excluded.event_id, updated_at = excluded.updated_at`,
    );
    this.batch = db.transaction((events: readonly IncomingEvent[]): InsertResult[] => {
      const results: InsertResult[] = [];
      for (const e of events) {
        const row = (e.source === "recovered" ? this.insertRecovered : this.insertEvent).get(
          e.eshopId,
          e.event,
          e.eventInstance,
          e.eventCreated,
          e.eventCreatedMs,
          e.receivedAt,
          e.dedupeKey,
          e.known ? 1 : 0,
          e.payload,
          e.raw,
        );
        if (!row) {
          const id = this.findByKey.get(e.dedupeKey)?.id ?? 0;
          // The same four envelope fields again is not always a retry: eventCreated has one-second
          // resolution, so a second movement in the same warehouse within the same second arrives
          // as an identical notification — possibly after the first one's job already read the
          // warehouse. Asking for a read again (folded into a pending one if any) costs at most one
          // API call and loses nothing; the event itself stays stored once.
          if (e.job && id) this.enqueueJob.run(e.job.kind, e.eshopId, e.job.subject, id, e.receivedAt, e.receivedAt, e.receivedAt);
          results.push({ id, duplicate: true });
          continue;
        }
        if (e.job) {
          this.enqueueJob.run(e.job.kind, e.eshopId, e.job.subject, row.id, e.receivedAt, e.receivedAt, e.receivedAt);
        }
        results.push({ id: row.id, duplicate: false });
      }
      return results;
    });
  }

  /** Stores events and their jobs atomically; returns one result per event, in order. */
  insertBatch(events: readonly IncomingEvent[]): InsertResult[] {
    return this.batch.immediate(events);
  }

  /**
   * Newest first; `before` pages back from an id. A filter by type first walks the newest
   * `recentIds` ids by primary key (a common type fills a page there), and asks the type index
   * only for what is older (a rare type has few entries to sort).
   */
  list(query: EventQuery): StoredEvent[] {
    if (query.event === undefined) return this.select(query);
    const top = query.before ?? this.nextId();
    const recent = this.select({ ...query, before: top }, top - this.recentIds);
    if (recent.length >= query.limit) return recent;
    const older = this.select({ ...query, before: top - this.recentIds, limit: query.limit - recent.length });
    return [...recent, ...older];
  }

  private nextId(): number {
    return ((this.db.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null }).id ?? 0) + 1;
  }

  /**
   * With `fromId`, only ids from there on, walked by primary key: the type is filtered on the way
   * (unary + keeps SQLite off the type index).
   */
  private select(query: EventQuery, fromId?: number): StoredEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.event !== undefined) {
      where.push(fromId === undefined ? "event = ?" : "+event = ?");
      params.push(query.event);
    }
    if (query.eshopId !== undefined) {
      where.push("eshop_id = ?");
      params.push(query.eshopId);
    }
    if (query.before !== undefined) {
      where.push("id < ?");
      params.push(query.before);
    }
    if (fromId !== undefined) {
      where.push("id >= ?");
      params.push(fromId);
    }
    const sql = `SELECT id, eshop_id, event, event_instance, event_created, received_at, known, payload, source
                 FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
                 ORDER BY id DESC LIMIT ?`;
    params.push(query.limit);
    const rows = this.db.prepare(sql).all(...params) as {
      id: number;
      eshop_id: number;
      event: string;
      event_instance: string;
      event_created: string;
      received_at: number;
      known: number;
      payload: string | null;
      source: EventSource;
    }[];
    return rows.map((r) => ({
      id: r.id,
      eshopId: r.eshop_id,
      event: r.event,
      eventInstance: r.event_instance,
      eventCreated: r.event_created,
      receivedAt: new Date(r.received_at).toISOString(),
      known: r.known === 1,
      payload: r.payload === null ? undefined : JSON.parse(r.payload),
      source: r.source,
    }));
  }

  count(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  }
}
