import type { FastifyInstance } from 'fastify';
import { caseRoutes } from '../../cases/index.js';
import { selfServiceRoutes } from '../../selfservice/index.js';
import type { AppContext } from '../../app/index.js';
import { auditRoutes } from './audit.js';
import { healthRoutes } from './health.js';
import { lookupRoutes } from '../../lookup/routes.js';
import { sharingRoutes } from '../../sharing/api.js';
import { reportRoutes } from '../../reports/routes.js';
import { attributionRoutes } from '../../attribution/routes.js';
import { subscriberRoutes } from '../../subscribers/routes.js';
import { measureRoutes } from './measures.js';
import { reputationRoutes } from '../../reputation/api.js';
import { tokenRoutes } from './tokens.js';
import { dashboardRoutes } from '../../ui/routes.js';

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

/** Every route module served by `yojin serve`, in registration order. Capabilities add theirs here. */
export const ROUTE_MODULES: RouteModule[] = [healthRoutes, tokenRoutes, measureRoutes, auditRoutes, reputationRoutes, lookupRoutes, sharingRoutes, subscriberRoutes, attributionRoutes, caseRoutes, selfServiceRoutes, reportRoutes, dashboardRoutes];
