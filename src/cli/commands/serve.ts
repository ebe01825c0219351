import type { Command } from 'commander';
import { createContext } from '../../app/index.js';
import { createLogger } from '../../observability/index.js';
import { startServices } from '../../serve/index.js';
import { configFor } from '../context.js';

/** Listen-address flags of `yojin serve`: each sets one config key (flags rank above file and env). */
const LISTEN_FLAGS = [
  { flag: 'http', key: 'http.listen', help: 'API, dashboard, TAXII and metrics (default 127.0.0.1:8080)' },
  { flag: 'dns', key: 'dns.listen', help: 'policy DNS resolver, UDP and TCP (default 127.0.0.1:5353)' },
  { flag: 'rpz', key: 'rpz.listen', help: 'RPZ primary for AXFR/IXFR (default 127.0.0.1:5354)' },
  { flag: 'warning', key: 'warning.listen', help: 'warning page (default 127.0.0.1:8081)' },
] as const;

export function registerServe(program: Command) {
  const serve = program
    .command('serve')
    .description(
      'run yojin: API and dashboard, policy DNS resolver, RPZ primary, warning page, TAXII, scheduled workers',
    );
  for (const f of LISTEN_FLAGS) serve.option(`--${f.flag} <host:port>`, f.help);
  serve
    .option(
      '--upstream <host:port>',
      'upstream resolver for the DNS resolver; repeatable (default dns.upstreams)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .addHelpText(
      'after',
      '\nWith no database configured, state lives in the embedded store in --data-dir (default ./.yojin).\nSet YOJIN_DATABASE_URL=postgres://… to use a PostgreSQL server instead.',
    )
    .action(async (opts: Record<string, string | string[] | undefined>, cmd: Command) => {
      const overrides: Record<string, unknown> = Object.fromEntries(
        LISTEN_FLAGS.map((f) => [f.key, opts[f.flag]]),
      );
      if (opts.upstream) overrides['dns.upstreams'] = opts.upstream;
      const config = configFor(cmd, overrides);
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
