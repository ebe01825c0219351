import { DAY_MS } from '../clock/index.js';
import { Scheduler } from '../jobs/index.js';
import type { ServiceFactory } from '../serve/services.js';
import { rollupFromStore } from './activity.js';

/** In `yojin serve`: refreshes the derived daily figures (last 3 days) every 5 minutes. */
export const reportsService: ServiceFactory = (ctx) => {
  const scheduler = new Scheduler(ctx.log.child({ component: 'reports' }));
  return {
    name: 'reports',
    async start() {
      scheduler.add({
        name: 'activity-rollup',
        schedule: 300,
        run: () => rollupFromStore(ctx.store, new Date(ctx.clock.now().getTime() - 3 * DAY_MS)),
      });
      return undefined;
    },
    stop: () => scheduler.stop(),
  };
};
