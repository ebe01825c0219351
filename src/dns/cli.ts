import type { Command } from 'commander';
import { createContext } from '../app/index.js';
import { configFor } from '../cli/context.js';
import { createLogger } from '../observability/index.js';
import { DnsResolver } from './resolver.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * `yojin dns` (the resolver alone) and `yojin serve --dns HOST:PORT`. The serve command belongs to
 * the foundation; its --dns flag is added here and handed to the config as YOJIN_DNS_LISTEN, the
 * same override the environment gives.
 */
export function registerDns(program: Command) {
  const serve = program.commands.find((c) => c.name() === 'serve');
  if (serve) {
    serve.option('--dns <host:port>', 'policy DNS resolver listen address, UDP and TCP (default 127.0.0.1:5353)');
    serve.hook('preAction', (cmd) => {
      const v = (cmd.opts() as { dns?: string }).dns;
      if (v) process.env.YOJIN_DNS_LISTEN = v;
    });
  }

  program
    .command('dns')
    .description('run only the policy DNS resolver (UDP and TCP), forwarding to the upstream resolvers')
    .option('--listen <host:port>', 'listen address (default dns.listen, 127.0.0.1:5353)')
    .option('--upstream <host:port>', 'upstream resolver; repeatable, tried in order (default dns.upstreams)', collect)
    .action(async (opts: { listen?: string; upstream?: string[] }, cmd: Command) => {
      const config = configFor(cmd, {
        ...(opts.listen ? { 'dns.listen': opts.listen } : {}),
        ...(opts.upstream?.length ? { 'dns.upstreams': opts.upstream } : {}),
      });
      const log = createLogger(config);
      const ctx = await createContext(config, { log });
      const resolver = new DnsResolver(ctx);
      try {
        const { host, port } = await resolver.start();
        process.stdout.write(
          `yojin dns listening on ${host.includes(':') ? `[${host}]` : host}:${port} (UDP+TCP), policy serial ${resolver.holder.index.serial}, ${resolver.holder.index.size} listings, upstreams ${config.dns.upstreams.join(', ') || 'none'}\n`,
        );
      } catch (err) {
        await ctx.store.close();
        throw err;
      }
      await new Promise<void>((resolve) => {
        let stopping = false;
        const shutdown = async () => {
          if (stopping) return;
          stopping = true;
          await resolver.stop();
          await ctx.store.close();
          resolve();
        };
        process.once('SIGINT', () => void shutdown());
        process.once('SIGTERM', () => void shutdown());
      });
    });
}
