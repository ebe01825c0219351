import type { AppContext } from '../app/index.js';
import { Scheduler } from '../jobs/index.js';
import type { ServiceFactory } from '../serve/index.js';
import { expireIndicators } from './expiry.js';

/** `yojin serve`: the expiry job on reputation.expiry_schedule (listings past their TTL → expired). */
export const reputationService: ServiceFactory = (ctx: AppContext) => {
  const scheduler = new Scheduler(ctx.log.child({ component: 'reputation' }));
  return {
    name: 'reputation',
    async start() {
      scheduler.add({
        name: 'reputation-expiry',
        schedule: ctx.config.reputation.expiry_schedule,
        run: () => expireIndicators(ctx),
      });
      return undefined;
    },
    stop: () => scheduler.stop(),
  };
};
