import type { Clock } from "../shared/clock.js";

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * TokenGate is the per-token admission control of the Shoptet client. Shoptet allows 3
 * concurrent connections per token (more get 429 from nginx); the gate allows `maxInFlight`
 * (2) so a CLI command next to the daemon still fits. It also holds every request back while the
 * token is paused — after a 429 until `Retry-After`, or while the leaky bucket drains.
 */
export class TokenGate {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private pausedUntil = 0;

  constructor(
    private readonly maxInFlight: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {}

  /** Waits for a free slot and the end of any pause; pair with `release()`. */
  async acquire(): Promise<void> {
    if (this.active < this.maxInFlight) this.active++;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      // Checked after taking the slot: a pause set while we queued applies to us too.
      for (let wait = this.pausedUntil - this.clock.now(); wait > 0; wait = this.pausedUntil - this.clock.now()) {
        await this.sleep(wait);
      }
    } catch (error) {
      this.release();
      throw error;
    }
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.active--;
  }

  /** Holds every request of this token until `until` (epoch ms); never shortens a pause. */
  pauseUntil(until: number): void {
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  get inFlight(): number {
    return this.active;
  }
}
