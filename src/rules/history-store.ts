import type { Level } from "../stock/stock-types.js";
import type { RuleEvent } from "./evaluate-event.js";

/** A product's name and minimum (thousandths) as stored today: [eshopId, code, name, minMilli]. */
export type ProductMetaRow = [number, string, string | null, number | null];
/** Per product and warehouse, the last movement before a time: [eshopId, code, stockId, amountMilli, totalMilli, at]. */
export type LastMovementRow = [number, string, number, number | null, number | null, number];
/** Per product, the last level change before a time: [eshopId, code, quantityMilli, toLevel, at]. */
export type LastLevelRow = [number, string, number, Level, number];
/** A movement: [at, eshopId, code, stockId, amountMilli, totalMilli]. */
export type MovementRow = [number, number, string, number, number | null, number | null];
/** A level change: [at, eshopId, code, quantityMilli, toLevel, causeEvent, causeEventId]. */
export type LevelChangeRow = [number, number, string, number, Level, string, number | null];

/**
 * HistoryStore: the stored history `rules test` replays — events, stock movements and level
 * changes, each in time order, read lazily. A table that does not exist yet reads as empty. Time
 * ranges are inclusive (epoch ms). SQLite: src/store/sqlite/history-store.ts.
 */
export interface HistoryStore {
  /** Events received from `from` to `to`, in time order. */
  events(from: number, to: number): Iterable<RuleEvent>;
  countEvents(from: number, to: number): number;
  productMeta(): Iterable<ProductMetaRow>;
  /** The last movement before `before` of each product and warehouse. */
  lastMovementsBefore(before: number): Iterable<LastMovementRow>;
  /** The last level change before `before` of each product. */
  lastLevelsBefore(before: number): Iterable<LastLevelRow>;
  /** Movements from `from` to `to`, in time order (then e-shop, warehouse, movement). */
  movements(from: number, to: number): Iterable<MovementRow>;
  /** Level changes from `from` to `to`, in time order. */
  levelChanges(from: number, to: number): Iterable<LevelChangeRow>;
}
