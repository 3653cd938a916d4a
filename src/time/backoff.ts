/**
 * Capped exponential backoff: `firstMs`, then doubling, never above `maxMs`. One helper for
 * every "try again later" loop that waits between tries (store calls while the database is
 * unavailable, the PostgreSQL LISTEN reconnect); `reset()` after a success.
 */
export class Backoff {
  private current: number;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
  ) {
    this.current = firstMs;
  }

  /** The delay to wait now; the next call returns the following one. */
  next(): number {
    const delay = this.current;
    this.current = Math.min(this.current * 2, this.maxMs);
    return delay;
  }

  reset(): void {
    this.current = this.firstMs;
  }
}
