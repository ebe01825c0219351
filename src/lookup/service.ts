import type { AppContext } from '../app/index.js';
import { syncLookupList } from './list.js';

/**
 * In `yojin serve`: builds the prefix list at start (so the first client does not wait for it) and
 * folds the change log in every `lookup.sync_interval_seconds`, re-reading the look-back window so a
 * late-committed change is picked up even when nothing newer follows it.
 */
export function lookupService(ctx: AppContext) {
  const cfg = ctx.config.lookup;
  const log = ctx.log.child({ component: 'lookup' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const sync = () => {
    running = syncLookupList(ctx.store, { historySerials: cfg.history_serials, force: true })
      .then((r) => {
        if (r.added || r.removed || r.rebuilt) log.info(r, 'lookup list synced');
      })
      .catch((err) => log.warn({ err }, 'lookup list sync failed; will retry'));
    return running;
  };
  return {
    name: 'lookup',
    async start() {
      void sync();
      if (cfg.sync_interval_seconds > 0) {
        timer = setInterval(() => void running.then(sync), cfg.sync_interval_seconds * 1000);
        timer.unref();
      }
      return undefined;
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
