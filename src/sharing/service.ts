import { Scheduler } from '../jobs/index.js';
import type { ServiceFactory } from '../serve/services.js';
import { openHub } from './hub.js';
import { syncAll } from './operations.js';

/** In `yojin serve`: publish our indicators and sync with partners on `sharing.sync_schedule`. */
export const sharingService: ServiceFactory = (ctx) => {
  const scheduler = new Scheduler(ctx.log.child({ component: 'sharing' }));
  return {
    name: 'sharing',
    async start() {
      scheduler.add({
        name: 'sharing-sync',
        schedule: ctx.config.sharing.sync_schedule,
        run: async () => syncAll(await openHub(ctx)),
      });
      return `${ctx.config.http.listen.startsWith('[') ? '' : 'http://'}${ctx.config.http.listen}/taxii2/  (TAXII 2.1, API root /taxii2/${ctx.config.sharing.api_root}/)`;
    },
    stop: () => scheduler.stop(),
  };
};
