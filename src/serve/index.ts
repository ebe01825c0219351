import type { AppContext } from '../app/index.js';
import { countTokens, createToken } from '../auth/index.js';
import { SERVICES, type Service, type ServiceFactory } from './services.js';

export type { Service, ServiceFactory } from './services.js';
export { SERVICES } from './services.js';

export interface Running {
  services: Service[];
  listening: Record<string, string>;
  /** Set when the store was new and a first admin token was created. */
  firstAdminToken?: string;
  stop(): Promise<void>;
}

/** Starts every service of `yojin serve` on one context. */
export async function startServices(
  ctx: AppContext,
  factories: ServiceFactory[] = SERVICES,
): Promise<Running> {
  let firstAdminToken: string | undefined;
  if ((await countTokens(ctx.store)) === 0) {
    firstAdminToken = (await createToken(ctx.store, 'first-admin', 'admin')).token;
  }
  const started: Service[] = [];
  const listening: Record<string, string> = {};
  const stop = async () => {
    for (const s of [...started].reverse()) {
      await s.stop().catch((err) => ctx.log.error({ err, service: s.name }, 'stop failed'));
    }
  };
  try {
    for (const f of factories) {
      const s = f(ctx);
      if (!s) continue;
      const where = await s.start();
      started.push(s);
      if (where) listening[s.name] = where;
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { services: started, listening, firstAdminToken, stop };
}
