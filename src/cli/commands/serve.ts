import type { Command } from 'commander';
import { createContext } from '../../app/index.js';
import { createLogger } from '../../observability/index.js';
import { startServices } from '../../serve/index.js';
import { configFor } from '../context.js';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description(
      'run yojin: API, metrics and scheduled jobs (and, as they are added, DNS, warning page, workers)',
    )
    .option('--http <host:port>', 'API/UI listen address (default 127.0.0.1:8080)')
    .addHelpText(
      'after',
      '\nWith no database configured, state lives in the embedded store in --data-dir (default ./.yojin).\nSet YOJIN_DATABASE_URL=postgres://… to use a PostgreSQL server instead.',
    )
    .action(async (opts: { http?: string }, cmd: Command) => {
      const config = configFor(cmd, { 'http.listen': opts.http });
      const log = createLogger(config);
      const ctx = await createContext(config, { log });
      const running = await startServices(ctx);
      const lines = [
        `yojin is running (store: ${ctx.store.kind}${ctx.store.kind === 'pglite' ? ` in ${config.data_dir}` : ''})`,
      ];
      for (const [name, where] of Object.entries(running.listening))
        lines.push(`  ${name.padEnd(8)} ${where}`);
      if (running.firstAdminToken) {
        lines.push(
          '',
          'This store is new. First admin token (shown once; keep it safe):',
          `  ${running.firstAdminToken}`,
        );
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const shutdown = async (signal: string) => {
          if (stopping) return;
          stopping = true;
          log.info({ signal }, 'shutting down');
          await running.stop();
          await ctx.store.close();
          resolve();
        };
        process.once('SIGINT', () => void shutdown('SIGINT'));
        process.once('SIGTERM', () => void shutdown('SIGTERM'));
      });
    });
}
