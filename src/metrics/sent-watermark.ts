/**
 * How far scrapes have read the sent outbox rows: the newest `sent_at` seen and the rows sent in
 * that same millisecond (a row committed later in that millisecond is still new).
 */
export interface SentMark {
  at: number;
  ids: readonly number[];
}

export const NOTHING_SENT: SentMark = { at: Number.NEGATIVE_INFINITY, ids: [] };

/** The rows not seen before `mark` (each observed once, whatever the order of scrapes and sends), and the mark after them. */
export function takeNewlySent<R extends { id: number; sentAt: number }>(rows: readonly R[], mark: SentMark): { fresh: R[]; mark: SentMark } {
  const fresh = rows.filter((r) => r.sentAt > mark.at || (r.sentAt === mark.at && !mark.ids.includes(r.id)));
  const at = fresh.reduce((max, r) => Math.max(max, r.sentAt), mark.at);
  const ids = fresh.filter((r) => r.sentAt === at).map((r) => r.id);
  return { fresh, mark: { at, ids: at === mark.at ? [...mark.ids, ...ids] : ids } };
}
