import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';
import { attributionRoutes } from '../../attribution/routes.js';
import { caseRoutes } from '../../cases/index.js';
import { lookupRoutes } from '../../lookup/routes.js';
import { reportRoutes } from '../../reports/routes.js';
import { reputationRoutes } from '../../reputation/api.js';
import { selfServiceRoutes } from '../../selfservice/index.js';
import { sharingRoutes } from '../../sharing/api.js';
import { subscriberRoutes } from '../../subscribers/routes.js';
import { dashboardRoutes } from '../../ui/routes.js';
import { auditRoutes } from './audit.js';
import { healthRoutes } from './health.js';
import { measureRoutes } from './measures.js';
import { tokenRoutes } from './tokens.js';

export type RouteModule = (app: FastifyInstance, ctx: AppContext) => Promise<void> | void;

/** Every route module served by `yojin serve`, in registration order. Capabilities add theirs here. */
export const ROUTE_MODULES: RouteModule[] = [
  healthRoutes,
  tokenRoutes,
  measureRoutes,
  auditRoutes,
  reputationRoutes,
  lookupRoutes,
  sharingRoutes,
  subscriberRoutes,
  attributionRoutes,
  caseRoutes,
  selfServiceRoutes,
  reportRoutes,
  dashboardRoutes,
];
