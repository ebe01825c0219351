import type { Command } from 'commander';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import { reputationIngest } from '../reputation/index.js';
import { type PullHealth, readPullHealth } from './collectors/health.js';
import { type PullResult, pullFeed } from './collectors/http.js';

function formatResult(r: PullResult): string {
  const what =
    r.result === 'updated'
      ? `updated: ${r.records} records, ${r.rejected} rejected, ${r.bytes} bytes`
      : r.result === 'not-modified'
        ? 'not modified since the last pull (304)'
        : r.result === 'backoff'
          ? `backing off after ${r.health.failures} failure(s) until ${r.health.next_attempt_at} (--force to pull now)`
          : `FAILED: ${r.error}; next attempt not before ${r.health.next_attempt_at}`;
  return `${r.source}: ${what}`;
}

/** `yojin feeds …`: the configured `[[feeds.sources]]`, their pull health, and pulling now. */
export function registerFeeds(program: Command) {
  const feeds = program
    .command('feeds')
    .description('feeds pulled over HTTP(S) ([[feeds.sources]] in the config): health, pull now');

  feeds
    .command('list')
    .description('configured feeds with the outcome of their last pull')
    .option('--json', 'machine-readable output')
    .action(async (_opts, cmd: Command) => {
      await withContext(cmd, async (ctx) => {
        const rows: Array<(typeof ctx.config.feeds.sources)[number] & { health: PullHealth | null }> = [];
        for (const f of ctx.config.feeds.sources)
          rows.push({ ...f, health: (await readPullHealth(ctx.store, f.name)) ?? null });
        output(cmd, rows, () =>
          rows.length === 0
            ? 'no feeds configured (add [[feeds.sources]] tables to the config; see docs/configuration.md)'
            : rows
                .map((r) => {
                  const h = r.health;
                  const state = !h?.last_attempt_at
                    ? 'never pulled'
                    : `${h.last_result} at ${h.last_attempt_at}` +
                      (h.last_result === 'failed' ? ` (${h.last_error}; ${h.failures} in a row)` : '') +
                      (h.records !== undefined
                        ? `, last body ${h.records} records / ${h.rejected} rejected`
                        : '');
                  return `${r.name}  ${r.format}  ${r.enabled ? r.schedule : 'disabled'}  ${r.url}\n  ${state}`;
                })
                .join('\n'),
        );
      });
    });

  feeds
    .command('pull [names...]')
    .description('pull feeds now into the reputation list (all enabled ones when no name is given)')
    .option('--force', 'pull even while backing off after failures')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nA pull is a conditional GET: a feed unchanged since its last successful pull answers 304 and\n' +
        'nothing is imported. Exit status is 1 if any pull failed.\n\nExample:\n  yojin feeds pull urlhaus --force',
    )
    .action(async (names: string[], opts: { force?: boolean }, cmd: Command) => {
      const failed = await withContext(cmd, async (ctx) => {
        const all = ctx.config.feeds.sources;
        const unknown = names.filter((n) => !all.some((f) => f.name === n));
        if (unknown.length > 0)
          throw new YojinError(
            'FEED_SOURCE_UNKNOWN',
            `no configured feed named ${unknown.join(', ')}; configured: ${all.map((f) => f.name).join(', ') || '(none)'}`,
          );
        const chosen =
          names.length > 0 ? all.filter((f) => names.includes(f.name)) : all.filter((f) => f.enabled);
        const c = ctx.config.feeds;
        const ingest = reputationIngest(ctx);
        const results: PullResult[] = [];
        for (const feed of chosen) {
          results.push(
            await pullFeed(ctx, feed, ingest, {
              force: opts.force,
              timeoutMs: c.timeout_seconds * 1000,
              maxBytes: c.max_bytes,
              userAgent: c.user_agent,
              backoffBaseMs: c.backoff_base_seconds * 1000,
              backoffMaxMs: c.backoff_max_seconds * 1000,
            }),
          );
        }
        output(
          cmd,
          results.map(({ ingested, ...r }) => ({ ...r, summary: ingested })),
          () => (results.length === 0 ? 'no enabled feeds to pull' : results.map(formatResult).join('\n')),
        );
        return results.some((r) => r.result === 'failed');
      });
      if (failed) process.exitCode = 1;
    });
}
