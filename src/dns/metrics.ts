import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../observability/index.js';

/** The resolver's Prometheus metrics. Counts only: no client address or query name is recorded. */
export class DnsMetrics {
  readonly queries: Counter<'action' | 'rcode' | 'transport'>;
  readonly cacheHits: Counter;
  readonly cacheMisses: Counter;
  readonly upstreamErrors: Counter<'upstream' | 'reason'>;
  readonly malformed: Counter<'outcome'>;
  readonly serial: Gauge;
  readonly entries: Gauge;
  readonly failStatic: Gauge;
  readonly swaps: Counter<'kind'>;

  private readonly children = new Map<string, { inc(): void }>();

  /** Counts one answered query. The label children are cached so the hot path does not resolve
   * labels through prom-client on every query. */
  countQuery(action: string, rcode: string, transport: string) {
    const key = `${action}|${rcode}|${transport}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.queries.labels({ action, rcode, transport });
      this.children.set(key, c);
    }
    c.inc();
  }

  constructor(m: Metrics) {
    const registers = [m.registry];
    const existing = <T>(name: string) => m.registry.getSingleMetric(name) as T | undefined;
    this.queries =
      existing('yojin_dns_queries_total') ??
      new Counter({
        name: 'yojin_dns_queries_total',
        help: 'DNS queries answered, by policy action (resolve = no policy applied) and response code.',
        labelNames: ['action', 'rcode', 'transport'],
        registers,
      });
    this.cacheHits =
      existing('yojin_dns_cache_hits_total') ??
      new Counter({ name: 'yojin_dns_cache_hits_total', help: 'Answers served from the cache.', registers });
    this.cacheMisses =
      existing('yojin_dns_cache_misses_total') ??
      new Counter({
        name: 'yojin_dns_cache_misses_total',
        help: 'Queries forwarded because the cache had no answer.',
        registers,
      });
    this.upstreamErrors =
      existing('yojin_dns_upstream_errors_total') ??
      new Counter({
        name: 'yojin_dns_upstream_errors_total',
        help: 'Failed upstream attempts (timeout, error, servfail, refused), by upstream.',
        labelNames: ['upstream', 'reason'],
        registers,
      });
    this.malformed =
      existing('yojin_dns_malformed_total') ??
      new Counter({
        name: 'yojin_dns_malformed_total',
        help: 'Malformed queries: answered FORMERR (header readable) or dropped.',
        labelNames: ['outcome'],
        registers,
      });
    this.serial =
      existing('yojin_dns_policy_serial') ??
      new Gauge({
        name: 'yojin_dns_policy_serial',
        help: 'Change-log serial of the policy in force.',
        registers,
      });
    this.entries =
      existing('yojin_dns_policy_entries') ??
      new Gauge({
        name: 'yojin_dns_policy_entries',
        help: 'Listings in the policy index in force.',
        registers,
      });
    this.failStatic =
      existing('yojin_dns_policy_fail_static') ??
      new Gauge({
        name: 'yojin_dns_policy_fail_static',
        help: '1 while the store is unreachable and the last loaded policy is served (fail-static).',
        registers,
      });
    this.swaps =
      existing('yojin_dns_policy_swaps_total') ??
      new Counter({
        name: 'yojin_dns_policy_swaps_total',
        help: 'Policy index swaps, by kind (full = rebuilt from the store, delta = change-log changes applied).',
        labelNames: ['kind'],
        registers,
      });
  }
}
