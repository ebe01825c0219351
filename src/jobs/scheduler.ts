import { Cron } from 'croner';
import type { Logger } from '../observability/index.js';

export interface Job {
  name: string;
  /** Cron expression (5 or 6 fields) or an interval in seconds. */
  schedule: string | number;
  run(): Promise<unknown>;
}

/**
 * Runs jobs on their schedules inside `yojin serve`. A job never overlaps itself; a failure is
 * logged and the next run goes ahead as scheduled.
 */
export class Scheduler {
  private readonly crons: Cron[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<string>();

  constructor(private readonly log: Logger) {}

  add(job: Job) {
    const tick = async () => {
      if (this.running.has(job.name)) return;
      this.running.add(job.name);
      const started = Date.now();
      try {
        const result = await job.run();
        this.log.debug({ job: job.name, ms: Date.now() - started, result }, 'job done');
      } catch (err) {
        this.log.error({ job: job.name, err }, 'job failed');
      } finally {
        this.running.delete(job.name);
      }
    };
    if (typeof job.schedule === 'number') this.timers.push(setInterval(tick, job.schedule * 1000));
    else this.crons.push(new Cron(job.schedule, { protect: true }, tick));
  }

  async stop() {
    for (const c of this.crons) c.stop();
    for (const t of this.timers) clearInterval(t);
    // let running jobs finish (bounded)
    const deadline = Date.now() + 10_000;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }
}
