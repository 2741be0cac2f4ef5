import { DAY_MS, type DaySales, type Interval, type VelocityEstimate } from "./forecast-types.js";

/** The window is cut into this many parts; velocity is the median of their rates. */
export const VELOCITY_BLOCKS = 4;
/** A part counts only when the product was in stock for at least this share of it. */
export const MIN_BLOCK_EXPOSURE = 0.25;

export interface VelocityInput {
  /** Epoch ms: the window ends here (today so far is its last, partial day). */
  now: number;
  /** Whole days, today included. */
  windowDays: number;
  /** Units sold per UTC day; days without sales may be left out, days outside the window are ignored. */
  sales: readonly DaySales[];
  /** When the product was sold out (level soldOut), clipped or not to the window. */
  soldOut: readonly Interval[];
  /** Since when the product is watched; before this nothing is known (not "no sales"). null: the whole window. */
  observedFrom: number | null;
}

/**
 * Sales velocity of one product: units per day, robust to one unusual burst.
 *
 * The window (the last `windowDays` UTC days, today so far included) is cut into four equal parts
 * (weeks, for the default 28 days). Each part's rate is its units sold divided by the time it was
 * actually sellable: watched (after `observedFrom`) and not sold out. A day with sales counts as
 * sellable even if the level history says sold out (negative stock allowed, pre-orders). Parts
 * sellable for less than a quarter of their length are left out. The velocity is the median of the
 * remaining rates (with four: the mean of the middle two), so a single bulk order — or one dead
 * week — moves it little, and weekday patterns cancel out within each part.
 */
export function estimateVelocity(input: VelocityInput): VelocityEstimate {
  const { now, windowDays } = input;
  const today = Math.floor(now / DAY_MS);
  const firstDay = today - windowDays + 1;
  const soldByDay = new Float64Array(windowDays);
  let sold = 0;
  for (const s of input.sales) {
    const i = s.day - firstDay;
    if (i < 0 || i >= windowDays || !(s.sold > 0)) continue;
    soldByDay[i]! += s.sold;
    sold += s.sold;
  }
  const soldOut = input.soldOut.filter((iv) => iv.to > firstDay * DAY_MS && iv.from < now);
  const watchedFrom = input.observedFrom ?? -Infinity;

  const blocks = VELOCITY_BLOCKS;
  const base = Math.floor(windowDays / blocks);
  const extra = windowDays % blocks;
  const rates: number[] = [];
  let inStockDays = 0;
  let day = 0;
  for (let b = 0; b < blocks; b++) {
    // The oldest parts take the leftover days, so the newest (with today's partial day) is never longer.
    const length = base + (b < extra ? 1 : 0);
    let blockSold = 0;
    let exposure = 0;
    for (let k = 0; k < length; k++, day++) {
      const start = (firstDay + day) * DAY_MS;
      const end = Math.min(start + DAY_MS, now);
      if (end <= start) continue;
      let sellable = sellableMs(Math.max(start, watchedFrom), end, soldOut);
      if (sellable === 0 && soldByDay[day]! > 0) sellable = end - start;
      blockSold += soldByDay[day]!;
      exposure += sellable / DAY_MS;
    }
    inStockDays += exposure;
    if (exposure >= length * MIN_BLOCK_EXPOSURE && exposure > 0) rates.push(blockSold / exposure);
  }
  return {
    velocityPerDay: rates.length ? median(rates) : null,
    sold,
    inStockDays,
    windowDays,
    blockRates: rates,
  };
}

/**
 * The parts the window is cut into, oldest first, as UTC day numbers [firstDay, firstDay + days):
 * the oldest parts take the leftover days, so the newest (with today's partial day) is never longer.
 */
export function velocityBlocks(now: number, windowDays: number): { firstDay: number; days: number }[] {
  const base = Math.floor(windowDays / VELOCITY_BLOCKS);
  const extra = windowDays % VELOCITY_BLOCKS;
  let firstDay = Math.floor(now / DAY_MS) - windowDays + 1;
  const blocks: { firstDay: number; days: number }[] = [];
  for (let b = 0; b < VELOCITY_BLOCKS; b++) {
    const days = base + (b < extra ? 1 : 0);
    blocks.push({ firstDay, days });
    firstDay += days;
  }
  return blocks;
}

/**
 * A ceiling on `estimateVelocity(...).velocityPerDay` from the units sold in each part of the window
 * (`velocityBlocks`), without the level history: a part's rate is its sales over at least a quarter
 * of its length (shorter parts are left out), and a median is never above the largest rate. Lets a
 * listing skip products that provably last longer than it cares about. 0 when nothing sold.
 */
export function velocityCeiling(blocks: readonly { days: number }[], soldByBlock: readonly number[]): number {
  let ceiling = 0;
  blocks.forEach((b, i) => {
    if (b.days > 0) ceiling = Math.max(ceiling, (soldByBlock[i] ?? 0) / (b.days * MIN_BLOCK_EXPOSURE));
  });
  return ceiling;
}

/** Time in [from, to) outside every sold-out interval. */
function sellableMs(from: number, to: number, soldOut: readonly Interval[]): number {
  if (to <= from) return 0;
  let total = to - from;
  for (const iv of soldOut) {
    const a = Math.max(from, iv.from);
    const b = Math.min(to, iv.to);
    if (b > a) total -= b - a;
  }
  return Math.max(total, 0);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A level history as sold-out intervals up to `now`. `levelAtStart` is the level before the first change. */
export function soldOutIntervals(
  levelAtStart: string | null,
  start: number,
  changes: readonly { at: number; toLevel: string }[],
  now: number,
): Interval[] {
  const out: Interval[] = [];
  let level = levelAtStart;
  let since = start;
  for (const c of changes) {
    if (c.at > now) break;
    if (level === "soldOut" && c.at > since) out.push({ from: since, to: c.at });
    level = c.toLevel;
    since = Math.max(c.at, start);
  }
  if (level === "soldOut" && now > since) out.push({ from: since, to: now });
  return out;
}
