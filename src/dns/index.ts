/** The policy DNS resolver (issue 4): see README.md in this folder for the handler chain contract. */
import type { AppContext } from '../app/index.js';
import type { Service, ServiceFactory } from '../serve/index.js';
import { DnsResolver } from './resolver.js';

export { explain, readEdns } from './answers.js';
export { AnswerCache } from './cache.js';
export { CHAIN, type DnsReply, type DnsRequest, type Handler } from './chain.js';
export { dnsConfigSchema } from './config.js';
export { ConsentSnapshot, loadConsentSnapshot } from './consent.js';
export { Forwarder } from './forward.js';
export { type PolicyHit, PolicyIndex } from './policy-index.js';
export { DnsResolver, PolicyHolder, type ResolverOptions } from './resolver.js';

/** `yojin serve` runs the resolver unless `dns.enabled = false`. */
export const dnsService: ServiceFactory = (ctx: AppContext): Service | null => {
  if (!ctx.config.dns.enabled) return null;
  const resolver = new DnsResolver(ctx);
  return {
    name: 'dns',
    async start() {
      const { host, port } = await resolver.start();
      const up = ctx.config.dns.upstreams;
      return `${host.includes(':') ? `[${host}]` : host}:${port}  (UDP+TCP; upstreams ${up.length ? up.join(', ') : 'none'})`;
    },
    stop: () => resolver.stop(),
  };
};

export { registerDns } from './cli.js';
