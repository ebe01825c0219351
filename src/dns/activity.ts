import type { AppContext } from '../app/index.js';
import { recordActivity } from '../reports/index.js';

/**
 * Counts the warnings shown and C&C blocks the resolver answered, per measure and category, in memory,
 * and adds them to the daily report figures once a minute — one upsert per figure per flush, never a
 * write per query. Counts are kept if the store is unreachable and added at the next flush.
 */
export class ActivityCounter {
  private counts = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: AppContext) {}

  count(measure: string, category: string) {
    const k = `${measure}\t${category}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }

  start(intervalMs = 60_000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = this.counts;
    this.counts = new Map();
    const day = this.ctx.clock.now();
    for (const [k, n] of batch) {
      const [measure, category] = k.split('\t');
      try {
        await recordActivity(
          this.ctx.store,
          day,
          measure === 'block-c2' ? 'c2-blocked' : 'warnings-shown',
          n,
          { measure, category },
        );
      } catch (err) {
        this.counts.set(k, (this.counts.get(k) ?? 0) + n);
        this.ctx.log.warn({ err }, 'dns: could not record activity figures; kept for the next flush');
      }
    }
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
