import type { Clock } from "../../src/shared/clock.js";

/**
 * The demo's clock: a day of shop time played in seconds. It runs at real speed, but `jumpTo`
 * moves it forward to the next scripted moment. It only ever moves forward, and the script jumps
 * only while the daemon is idle (nothing sending, no job running), so leases and retry times keep
 * their meaning. The day is placed so that it ends at the real present: after the demo, the
 * daemon (with --keep) simply carries on in real time.
 */
export class TimeLapseClock implements Clock {
  private offset: number;

  constructor(start: number) {
    this.offset = Date.now() - start;
  }

  now(): number {
    return Date.now() - this.offset;
  }

  /** Moves to `at` (epoch ms); never backwards, never past the real present. */
  jumpTo(at: number): void {
    const target = Math.min(at, Date.now());
    if (target > this.now()) this.offset = Date.now() - target;
  }
}
