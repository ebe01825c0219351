import type { Command } from 'commander';
import { createContext } from '../app/index.js';
import { configFor } from '../cli/context.js';
import { createLogger } from '../observability/index.js';
import { warningService } from './service.js';

/**
 * `yojin warning`: the warning page alone (production role split: the warning listener next to the
 * DNS resolver, sharing the PostgreSQL store). `yojin serve --warning` runs it with the rest.
 */
export function registerWarning(program: Command) {
  program
    .command('warning')
    .description('run only the warning page (ja/en, signed continue link, report-a-mistake form)')
    .option('--listen <host:port>', 'listen address (default [warning] listen, 127.0.0.1:8081)')
    .addHelpText(
      'after',
      '\nThe policy DNS resolver answers warned names with this listener\'s address; see docs/warning-page.md.\nRun it on the same store as the resolver (YOJIN_DATABASE_URL) so "continue anyway" reaches it.',
    )
    .action(async (opts: { listen?: string }, cmd: Command) => {
      const config = configFor(cmd, { 'warning.listen': opts.listen, 'warning.enabled': true });
      const log = createLogger(config);
      const ctx = await createContext(config, { log });
      const service = warningService(ctx);
      if (!service) throw new Error('unreachable: warning.enabled is forced on');
      let where: string | undefined;
      try {
        where = await service.start();
      } catch (err) {
        await ctx.store.close();
        throw err;
      }
      process.stdout.write(`yojin warning page listening on ${where}\n`);
      await new Promise<void>((resolve) => {
        const shutdown = async () => {
          await service.stop();
          await ctx.store.close();
          resolve();
        };
        process.once('SIGINT', () => void shutdown());
        process.once('SIGTERM', () => void shutdown());
      });
    });
}
