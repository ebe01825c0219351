import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';
import { auditRoutes } from './audit.js';
import { healthRoutes } from './health.js';
import { measureRoutes } from './measures.js';
import { tokenRoutes } from './tokens.js';

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

/** Every route module served by `yojin serve`, in registration order. Capabilities add theirs here. */
export const ROUTE_MODULES: RouteModule[] = [healthRoutes, tokenRoutes, measureRoutes, auditRoutes];
