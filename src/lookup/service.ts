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
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  // One sync at a time; the next is scheduled when the previous one has finished.
  const loop = () => {
    running = syncLookupList(ctx.store, { historySerials: cfg.history_serials, force: true })
      .then((r) => {
        if (r.added || r.removed || r.rebuilt) log.info(r, 'lookup list synced');
      })
      .catch((err) => log.warn({ err }, 'lookup list sync failed; will retry'))
      .finally(() => {
        if (!stopped && cfg.sync_interval_seconds > 0) {
          timer = setTimeout(loop, cfg.sync_interval_seconds * 1000);
          timer.unref();
        }
      });
  };
  return {
    name: 'lookup',
    async start() {
      loop();
      return undefined;
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
