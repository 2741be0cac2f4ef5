/** A stored event as the event feed hands it on. */
export interface FeedEvent {
  id: number;
  eshopId: number;
  event: string;
  eventInstance: string;
  eventCreatedMs: number | null;
  receivedAt: number;
}

/**
 * CursorStore keeps the named cursors of the event feeds (implementation:
 * src/store/sqlite/cursor-store.ts): how far each consumer has read the stored events, by id.
 */
export interface CursorStore {
  /** The cursor's position: the id of the last event handed on (0 before the first), creating the cursor when missing. */
  position(name: string): number;
  /**
   * A step of the feed `name` (created at 0 when missing): each call reads at most `limit` events
   * after the cursor, in id order, hands them to `handle` and moves the cursor past them, all in
   * one write transaction, so a crash re-reads nothing that was handled and skips nothing that
   * was not; when `handle` throws, nothing of the step stays. Returns how many events it handed on.
   */
  feedStep(name: string, handle: (events: FeedEvent[]) => void): (limit: number) => number;
}
