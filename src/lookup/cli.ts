import type { Command } from 'commander';
import { output, withContext } from '../cli/context.js';
import { YojinError } from '../errors/index.js';
import { LookupClient, type LookupVerdict } from './client.js';
import { syncLookupList } from './list.js';

export function registerLookup(program: Command) {
  const lookup = program
    .command('lookup')
    .description('the privacy-preserving lookup API (hash-prefix list); see docs/lookup-api.md');
  lookup
    .command('sync')
    .description('fold the change log into the prefix list now (the first run builds it)')
    .option('--json', 'machine-readable output')
    .action(async (_opts, cmd: Command) => {
      const r = await withContext(cmd, (ctx) =>
        syncLookupList(ctx.store, { historySerials: ctx.config.lookup.history_serials, force: true }),
      );
      output(
        cmd,
        r,
        () =>
          `lookup list version ${r.version}${r.rebuilt ? ' (built)' : ''}: +${r.added} −${r.removed} entries`,
      );
    });
  lookup
    .command('check <urls...>')
    .description('check URLs against a yojin server as a client does: only hash prefixes are sent')
    .requiredOption('--server <url>', 'base URL of the yojin API, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'API token (any role); default $YOJIN_TOKEN')
    .option('--json', 'machine-readable output')
    .action(async (urls: string[], opts: { server: string; token?: string }, cmd: Command) => {
      const token = opts.token ?? process.env.YOJIN_TOKEN;
      if (!token)
        throw new YojinError('AUTH_MISSING', 'pass --token or set YOJIN_TOKEN (any valid API token)');
      const client = new LookupClient({ baseUrl: opts.server, token });
      await client.update();
      const results: Array<{ url: string } & LookupVerdict> = [];
      for (const url of urls) results.push({ url, ...(await client.check(url)) });
      output(cmd, results, () =>
        results
          .map((r) =>
            r.listed
              ? `LISTED  ${r.url}  (${r.matches.map((m) => `${m.expression} ${m.category}`).join(', ')})`
              : `clean   ${r.url}`,
          )
          .join('\n'),
      );
    });
}
