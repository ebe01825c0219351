import type { AppContext } from '../app/index.js';
import { Scheduler } from '../jobs/index.js';
import { runCycle } from './cycle.js';

/**
 * The case cycle inside `yojin serve`: what `yojin cases run` does once, on `[cases] schedule`
 * (never overlapping itself). Several serve processes on one PostgreSQL are safe: claims use
 * FOR UPDATE SKIP LOCKED and every notice has one idempotency key.
 */
export function casesService(ctx: AppContext) {
  const scheduler = new Scheduler(ctx.log.child({ component: 'cases' }));
  return {
    name: 'cases',
    async start() {
      scheduler.add({
        name: 'case-cycle',
        schedule: ctx.config.cases.schedule,
        run: async () => {
          const rep = await runCycle(ctx);
          ctx.log.info({ component: 'cases', ...rep }, 'case cycle done');
          return rep;
        },
      });
      return undefined;
    },
    stop: () => scheduler.stop(),
  };
}
