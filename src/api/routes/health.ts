import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';

export async function healthRoutes(app: FastifyInstance, ctx: AppContext) {
  const hidden = { config: { public: true }, schema: { hide: true } } as const;
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_req, reply) => {
    const storeOk = await ctx.store.ping();
    ctx.metrics.storeUp.set(storeOk ? 1 : 0);
    const checks: Record<string, { ok: boolean; detail?: string }> = { store: { ok: storeOk } };
    for (const c of ctx.readiness)
      checks[c.name] = await c.check().catch((e) => ({ ok: false, detail: String(e) }));
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
  });
  app.get('/metrics', hidden, async (_req, reply) => {
    reply.header('content-type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
