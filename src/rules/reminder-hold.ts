/** What the Slack buttons (src/slack/) set on an open alert. */
export interface AlertAcknowledgement {
  /** Who acknowledged it and when (epoch ms); null or absent: nobody. */
  acknowledged?: { by: string; at: number } | null;
  /** No reminders before this time (epoch ms); null or absent: not snoozed. */
  snoozedUntil?: number | null;
}

/**
 * Whether reminders of an open alert are held: acknowledged ("I've got this": none until it
 * resolves), or snoozed until a time still ahead. The resolve is never held. Pure.
 */
export function remindersHeld(alert: AlertAcknowledgement, now: number): boolean {
  if (alert.acknowledged) return true;
  return alert.snoozedUntil !== undefined && alert.snoozedUntil !== null && alert.snoozedUntil > now;
}
