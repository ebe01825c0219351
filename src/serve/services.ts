import { buildApi } from '../api/index.js';
import type { AppContext } from '../app/index.js';
import { casesService } from '../cases/index.js';
import { dnsService } from '../dns/index.js';
import { purgeExpired, Scheduler } from '../jobs/index.js';
import { lookupService } from '../lookup/service.js';
import { feedsService } from '../pipeline/index.js';
import { reportsService } from '../reports/service.js';
import { reputationIngest } from '../reputation/index.js';
import { reputationService } from '../reputation/service.js';
import { rpzService } from '../rpz/index.js';
import { sharingService } from '../sharing/service.js';
import { parseHostPort } from '../util/hostport.js';
import { warningService } from '../warning/index.js';

/** A long-running part of `yojin serve` (API, DNS, warning page, workers). */
export interface Service {
  name: string;
  /** Starts listening/working; returns where it listens, for the startup banner. */
  start(): Promise<string | undefined>;
  stop(): Promise<void>;
}

export type ServiceFactory = (ctx: AppContext) => Service | null;

const apiService: ServiceFactory = (ctx) => {
  let app: Awaited<ReturnType<typeof buildApi>> | undefined;
  return {
    name: 'api',
    async start() {
      app = await buildApi(ctx);
      const { host, port } = parseHostPort(ctx.config.http.listen);
      const address = await app.listen({ host, port });
      return `${address}  (API /api/v1, OpenAPI /api/v1/openapi.json, /healthz, /readyz, /metrics)`;
    },
    async stop() {
      await app?.close();
    },
  };
};

const schedulerService: ServiceFactory = (ctx) => {
  const scheduler = new Scheduler(ctx.log.child({ component: 'jobs' }));
  return {
    name: 'jobs',
    async start() {
      scheduler.add({
        name: 'retention-purge',
        schedule: ctx.config.jobs.retention_purge,
        run: () => purgeExpired(ctx),
      });
      return undefined;
    },
    stop: () => scheduler.stop(),
  };
};

/** Everything `yojin serve` runs, in start order (stopped in reverse). Capabilities add theirs here. */
export const SERVICES: ServiceFactory[] = [
  apiService,
  schedulerService,
  reputationService,
  dnsService,
  warningService,
  feedsService(reputationIngest),
  rpzService,
  sharingService,
  lookupService,
  casesService,
  reportsService,
];
