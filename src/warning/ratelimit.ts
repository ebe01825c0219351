/**
 * Fixed-window counter per client key, in memory only: the report form needs abuse protection, not
 * a record of who reported (client addresses are not stored for it).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one attempt; false when the client is over its limit for the current window. */
  take(key: string, nowMs: number): boolean {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= nowMs) {
      if (this.windows.size >= this.maxKeys) this.sweep(nowMs);
      w = { count: 0, resetAt: nowMs + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= this.limit;
  }

  private sweep(nowMs: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= nowMs) this.windows.delete(k);
    // Still full (a flood of distinct clients): forget the oldest half rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      let n = Math.floor(this.windows.size / 2);
      for (const k of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}
