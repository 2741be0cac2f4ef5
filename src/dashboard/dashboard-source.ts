import type { DashboardData } from "./dashboard-data.js";
import type { DashboardStore } from "./dashboard-store.js";
import type { Db } from "../db/open-database.js";
import type { EventStore } from "../events/event-store.js";
import type { Outbox } from "../outbox/create-outbox.js";
import { SqliteAlertStore } from "../store/sqlite/alert-store.js";
import { createSilenceDesk } from "../silences/silence-desk.js";
import { SqliteStockReadStore } from "../store/sqlite/stock-read-store.js";
import type { RulesView } from "../rules/rules-source.js";

const ms = (iso: string | null): number => (iso === null ? 0 : Date.parse(iso));

/** The dashboard's view of the database, built from the same repositories as `/api/*` (and its own, DashboardStore). */
export function dashboardSource(deps: { db: Db; store: DashboardStore; events: EventStore; outbox: Outbox; rules: RulesView }): DashboardData {
  const { db, store, events, outbox, rules } = deps;
  const stock = new SqliteStockReadStore(db);
  const alerts = new SqliteAlertStore(db);
  return {
    products: (level, limit) =>
      stock.listProducts({ level, limit }).map((p) => ({
        eshopId: p.eshopId,
        code: p.code,
        name: p.name,
        quantity: p.quantity,
        minStockSupply: p.minStockSupply,
        level: p.level,
        levelSinceMs: ms(p.levelSince),
      })),
    openAlerts: (limit) =>
      alerts.list({ state: "open", limit }).map((a) => ({
        id: a.id,
        rule: a.rule,
        subject: a.subject,
        severity: a.severity,
        openedAtMs: ms(a.openedAt),
        acknowledgedBy: a.acknowledgedBy,
        acknowledgedAtMs: a.acknowledgedAt === null ? null : ms(a.acknowledgedAt),
        snoozedUntilMs: a.snoozedUntil === null ? null : ms(a.snoozedUntil),
        silencedBy: a.silencedBy,
      })),
    recentEvents: (type, limit) =>
      events.list({ event: type, limit }).map((e) => ({
        id: e.id,
        eshopId: e.eshopId,
        event: e.event,
        eventInstance: e.eventInstance,
        receivedAtMs: ms(e.receivedAt),
      })),
    eventTypes: () => store.eventTypes(),
    deliveries: (failedOnly, limit) =>
      outbox.list(failedOnly ? { statuses: ["dead", "retrying", "unconfigured"], limit } : { limit }).map((d) => ({
        id: d.id,
        channel: d.channel,
        destination: d.destination,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
        summary: d.summary,
        createdAtMs: ms(d.createdAt),
      })),
    retryDelivery: (id) => outbox.retry(id) === "queued",
    digestRuns: (limit) => store.digestRuns(limit),
    rules: () => rules.status(),
    silences: createSilenceDesk(db),
  };
}
