import type { SilenceDesk } from "../silences/silence-desk.js";

/**
 * What the dashboard shows, as plain values. The app builds it from the repositories; tests can
 * build it from anything.
 */
export interface DashboardProduct {
  eshopId: number;
  code: string;
  name: string | null;
  quantity: number;
  minStockSupply: number | null;
  level: "soldOut" | "low" | "ok";
  levelSinceMs: number;
}

export interface DashboardAlert {
  id: number;
  rule: string;
  subject: string;
  severity: string;
  openedAtMs: number;
  /** Acknowledged or snoozed in Slack (src/slack/). */
  acknowledgedBy?: string | null;
  acknowledgedAtMs?: number | null;
  snoozedUntilMs?: number | null;
  /** The silence that held back one of its messages (src/silences/). */
  silencedBy?: number | null;
}

export interface DashboardEvent {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  receivedAtMs: number;
}

export interface DashboardDelivery {
  id: number;
  channel: string;
  destination: string;
  status: string;
  attempts: number;
  lastError: string | null;
  summary: string;
  createdAtMs: number;
}

export interface DashboardDigestRun {
  digest: string;
  periodFromMs: number;
  periodToMs: number;
  status: string;
}

export interface RulesStatus {
  path: string;
  loadedAtMs: number | null;
  ok: boolean;
  errors: string[];
  summary: string;
}

export interface DashboardData {
  products(level: "soldOut" | "low", limit: number): DashboardProduct[];
  openAlerts(limit: number): DashboardAlert[];
  recentEvents(type: string | undefined, limit: number): DashboardEvent[];
  eventTypes(): string[];
  deliveries(failedOnly: boolean, limit: number): DashboardDelivery[];
  /** Queues a failed delivery again; false when there is no such retryable delivery. */
  retryDelivery(id: number): boolean;
  digestRuns(limit: number): DashboardDigestRun[];
  rules(): RulesStatus;
  /** Silences: listed, added and expired from the dashboard (absent: no silences section). */
  silences?: SilenceDesk;
}
