import type { Command } from 'commander';
import { createContext } from '../app/index.js';
import { configFor } from '../cli/context.js';
import { createLogger } from '../observability/index.js';
import { DnsResolver } from './resolver.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `yojin dns`: the resolver alone (production role split). `yojin serve --dns` runs it with the rest. */
export function registerDns(program: Command) {
  program
    .command('dns')
    .description('run only the policy DNS resolver (UDP and TCP), forwarding to the upstream resolvers')
    .option('--listen <host:port>', 'listen address (default dns.listen, 127.0.0.1:5353)')
    .option(
      '--upstream <host:port>',
      'upstream resolver; repeatable, tried in order (default dns.upstreams)',
      collect,
    )
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
