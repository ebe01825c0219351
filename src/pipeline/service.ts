import { Cron } from 'croner';
import { Counter } from 'prom-client';
import type { AppContext } from '../app/index.js';
import type { Service, ServiceFactory } from '../serve/services.js';
import { type FeedIngest, pullFeed } from './collectors/http.js';
import type { ParseItem } from './types.js';

/** Until a reputation sink is wired in, pulled feeds are parsed and counted, not stored. */
export const countOnly: FeedIngest = async (_source, items: AsyncIterable<ParseItem>) => {
  let records = 0;
  let rejected = 0;
  for await (const item of items) {
    if ('reason' in item) rejected++;
    else records++;
  }
  return { records, rejected };
};

function pullCounter(ctx: AppContext): Counter<'source' | 'result'> {
  const name = 'yojin_feed_pulls_total';
  const existing = ctx.metrics.registry.getSingleMetric(name);
  if (existing) return existing as Counter<'source' | 'result'>;
  return new Counter({
    name,
    help: 'Feed pulls by source and result (updated, not-modified, failed, backoff).',
    labelNames: ['source', 'result'],
    registers: [ctx.metrics.registry],
  });
}

/**
 * The `feeds` service of `yojin serve`: pulls every enabled `[[feeds.sources]]` on its cron schedule,
 * once at start for a feed never pulled before, and again when its backoff window ends after a
 * failure. `makeIngest` supplies the sink (src/reputation's ingest); without one, records are counted.
 */
export function feedsService(makeIngest?: (ctx: AppContext) => FeedIngest): ServiceFactory {
  return (ctx) => {
    const feeds = ctx.config.feeds.sources.filter((f) => f.enabled);
    if (feeds.length === 0) return null;
    const ingest = makeIngest?.(ctx) ?? countOnly;
    const log = ctx.log.child({ component: 'feeds' });
    const counter = pullCounter(ctx);
    const crons: Cron[] = [];
    const retries = new Map<string, NodeJS.Timeout>();
    const running = new Map<string, Promise<void>>();
    let stopped = false;
    const c = ctx.config.feeds;

    const run = (feed: (typeof feeds)[number]) => {
      if (stopped || running.has(feed.name)) return;
      const p = (async () => {
        try {
          const r = await pullFeed(ctx, feed, ingest, {
            timeoutMs: c.timeout_seconds * 1000,
            maxBytes: c.max_bytes,
            userAgent: c.user_agent,
            backoffBaseMs: c.backoff_base_seconds * 1000,
            backoffMaxMs: c.backoff_max_seconds * 1000,
          });
          counter.inc({ source: feed.name, result: r.result });
          clearTimeout(retries.get(feed.name));
          retries.delete(feed.name);
          if (r.result === 'failed' && r.health.next_attempt_at && !stopped) {
            // A second of slack so the retry lands after the window, not on its edge.
            const delay = Date.parse(r.health.next_attempt_at) - ctx.clock.now().getTime() + 1000;
            const t = setTimeout(() => run(feed), Math.max(1000, delay));
            t.unref();
            retries.set(feed.name, t);
          }
        } catch (err) {
          log.error({ err, source: feed.name }, 'feed pull crashed');
        } finally {
          running.delete(feed.name);
        }
      })();
      running.set(feed.name, p);
    };

    const service: Service = {
      name: 'feeds',
      async start() {
        for (const feed of feeds) {
          // The config is the truth for configured feeds: keep the source row in step with it.
          const r = await ctx.store.query<{ health: { pull?: { last_attempt_at?: string } } }>(
            `INSERT INTO sources (name, kind, format, url, schedule, reliability, enabled, created_at, updated_at)
             VALUES ($1, 'feed', $2, $3, $4, $5, true, $6, $6)
             ON CONFLICT (name) DO UPDATE SET format = excluded.format, url = excluded.url,
               schedule = excluded.schedule, reliability = excluded.reliability, enabled = true,
               updated_at = excluded.updated_at
             RETURNING health`,
            [feed.name, feed.format, feed.url, feed.schedule, feed.reliability, ctx.clock.now()],
          );
          crons.push(new Cron(feed.schedule, { protect: true }, () => run(feed)));
          if (!r.rows[0].health?.pull?.last_attempt_at) run(feed);
        }
        return `${feeds.length} feed(s) scheduled: ${feeds.map((f) => f.name).join(', ')}`;
      },
      async stop() {
        stopped = true;
        for (const cr of crons) cr.stop();
        for (const t of retries.values()) clearTimeout(t);
        // Let pulls in flight finish, bounded: a slow feed must not hold up shutdown.
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<void>((r) => {
          timer = setTimeout(r, 10_000);
        });
        await Promise.race([Promise.allSettled([...running.values()]), bound]);
        clearTimeout(timer);
      },
    };
    return service;
  };
}
