import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { parseHostPort } from '../util/hostport.js';
import { bypasses, startBypassSync } from './bypass.js';
import { buildWarningServer } from './server.js';

/** The warning page in `yojin serve` (`[warning] listen`, default 127.0.0.1:8081). */
export function warningService(ctx: AppContext) {
  if (!ctx.config.warning.enabled) return null;
  let app: FastifyInstance | undefined;
  let sync: { stop(): void } | undefined;
  return {
    name: 'warning',
    async start() {
      app = await buildWarningServer(ctx);
      const { host, port } = parseHostPort(ctx.config.warning.listen);
      const address = await app.listen({ host, port });
      sync = startBypassSync(ctx.store, {
        table: bypasses,
        intervalMs: ctx.config.warning.bypass_sync_seconds * 1000,
        clock: ctx.clock,
        onError: (err) => ctx.log.warn({ err: { message: (err as Error).message } }, 'bypass sync failed'),
      });
      return `${address}  (warning page for names the DNS resolver warns)`;
    },
    async stop() {
      sync?.stop();
      await app?.close();
    },
  };
}
