import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { installAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { ROUTE_MODULES, type RouteModule } from './routes/index.js';

/**
 * The HTTP API: health, metrics, OpenAPI, and `/api/v1/*` from every capability's route module.
 * Route schemas (TypeBox) validate requests and generate the OpenAPI document.
 */
export async function buildApi(
  ctx: AppContext,
  modules: RouteModule[] = ROUTE_MODULES,
): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: ctx.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: ctx.config.http.body_limit_bytes,
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
    },
  });
  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'yojin API',
        version: '1',
        description:
          'Reputation, enforcement, notification and sharing API of yojin. Authenticate with "Authorization: Bearer <token>".',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installAuth(app, ctx);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });
  for (const m of modules) await m(app, ctx);
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  return app;
}
