import { z } from "zod";
import type { Paginator } from "./shoptet-types.js";
import { paginator, toPaginator } from "./shoptet-parse.js";
import { formatShoptetTime, parseShoptetTimeMs } from "./shoptet-time.js";

/**
 * Shoptet's delivery log of webhook notifications (`GET /api/webhooks/notifications`, operation
 * `getWebhookNotification`): 7 days of history, each item with the exact body that was (or was to
 * be) delivered in `data`. The notification `id` exists only here, never in a delivered body.
 */

/** `status` of a notification: the result of the last delivery attempt. */
export type NotificationStatus = "new" | "failed" | "success";

/** The body Shoptet delivers (the spec's `notificationData`). `eventCreated` may be null there. */
export interface NotificationData {
  eshopId: number;
  event: string;
  eventCreated: string | null;
  eventInstance: string;
}

export interface WebhookNotification {
  id: number;
  webhookId: number | null;
  event: string;
  /** When Shoptet created the notification (epoch ms); what `from` filters on. */
  createdMs: number | null;
  attempts: number;
  /** Unknown values are kept as they came, so a new status is never mistaken for a known one. */
  status: string;
  /** Shoptet will still try to deliver it. */
  active: boolean;
  data: NotificationData;
}

export interface NotificationPage {
  notifications: WebhookNotification[];
  paginator: Paginator | null;
}

/** Query of one page; `fromMs` becomes `from` in Shoptet's datetime form (`+` sent as %2B). */
export interface NotificationQuery {
  status?: NotificationStatus;
  active?: boolean;
  event?: string;
  fromMs?: number;
  page?: number;
  itemsPerPage?: number;
}

/** Shoptet's maximum `itemsPerPage` for this endpoint. */
export const NOTIFICATIONS_PER_PAGE = 500;

/** The query string parameters of one page (URLSearchParams encodes the `+` of the offset). */
export function notificationQueryParams(q: NotificationQuery): Record<string, string | number | undefined> {
  return {
    status: q.status,
    active: q.active === undefined ? undefined : String(q.active),
    event: q.event,
    from: q.fromMs === undefined ? undefined : formatShoptetTime(q.fromMs),
    itemsPerPage: Math.min(Math.max(1, q.itemsPerPage ?? NOTIFICATIONS_PER_PAGE), NOTIFICATIONS_PER_PAGE),
    page: q.page,
  };
}

const time = z.string().nullish();

const notificationData = z.looseObject({
  eshopId: z.number().int().positive(),
  event: z.string().min(1),
  eventCreated: time,
  // Always a string in the spec; a number is taken as the receiver takes it.
  eventInstance: z.union([z.string(), z.number().transform(String)]),
});

const notification = z.looseObject({
  id: z.number().int(),
  webhookId: z.number().int().nullish(),
  event: z.string(),
  created: time,
  attempts: z.number().int().nullish(),
  status: z.string(),
  active: z.boolean().nullish(),
  data: notificationData,
});

const notificationsData = z.looseObject({ notifications: z.array(notification), paginator });

/** `data` of `GET /api/webhooks/notifications`. Rejects an item without id or body. */
export function parseNotifications(data: unknown): NotificationPage {
  const d = notificationsData.parse(data);
  const p = d.paginator;
  return {
    notifications: d.notifications.map((n) => ({
      id: n.id,
      webhookId: n.webhookId ?? null,
      event: n.event,
      createdMs: parseShoptetTimeMs(n.created),
      attempts: n.attempts ?? 0,
      status: n.status,
      active: n.active ?? false,
      data: {
        eshopId: n.data.eshopId,
        event: n.data.event,
        eventCreated: n.data.eventCreated ?? null,
        eventInstance: n.data.eventInstance,
      },
    })),
    paginator: toPaginator(p),
  };
}
