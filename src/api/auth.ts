import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../app/index.js';
import { type Principal, type Role, verifyToken } from '../auth/index.js';
import { YojinError } from '../errors/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on this route (admin is always allowed). Omitted: any signed-in role. */
    roles?: Role[];
    /** The route needs no token (health, metrics, OpenAPI, public pages). */
    public?: boolean;
  }
}

/** Bearer-token auth on every route that is not marked public; roles checked per route. */
export function installAuth(app: FastifyInstance, ctx: AppContext) {
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config;
    if (!req.routeOptions.url || cfg?.public) return;
    req.principal = await authenticate(ctx, req);
    const roles = cfg?.roles;
    if (roles && req.principal.role !== 'admin' && !roles.includes(req.principal.role)) {
      throw new YojinError(
        'AUTH_FORBIDDEN',
        `role ${req.principal.role} may not do this; it needs ${roles.join(' or ')}`,
        {
          role: req.principal.role,
          allowed: roles,
        },
      );
    }
  });
}

async function authenticate(ctx: AppContext, req: FastifyRequest): Promise<Principal> {
  const header = req.headers.authorization;
  if (!header) throw new YojinError('AUTH_MISSING', 'send an API token as "Authorization: Bearer <token>"');
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new YojinError('AUTH_INVALID', 'the Authorization header must be "Bearer <token>"');
  return verifyToken(ctx.store, m[1], ctx.clock.now());
}
