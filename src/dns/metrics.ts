import { Counter, Gauge, type Registry } from 'prom-client';
import type { Metrics } from '../observability/index.js';

/**
 * A count kept in a plain number on the hot path and handed to a prom-client counter when metrics are
 * collected. Why: `counter.labels(…).inc()` hashes the label set on every call; per query that was ~5 %
 * of a cache-warm answer's CPU (scripts/bench/dns.ts --profile).
 */
class Tally {
  n = 0;
  constructor(
    private readonly counter: Counter<string>,
    private readonly labels: Record<string, string> = {},
  ) {}
  inc() {
    this.n++;
  }
  flush() {
    if (this.n === 0) return;
    this.counter.inc(this.labels, this.n);
    this.n = 0;
  }
}

/** The tallies of every resolver on a registry (tests and the demo run several in one process). */
const talliesOf = new WeakMap<Registry, Set<Tally>>();
function flushAll(registry: Registry) {
  for (const t of talliesOf.get(registry) ?? []) t.flush();
}

/** The resolver's Prometheus metrics. Counts only: no client address or query name is recorded. */
export class DnsMetrics {
  readonly queries: Counter<'action' | 'rcode' | 'transport'>;
  readonly cacheHits: Tally;
  readonly cacheMisses: Tally;
  readonly upstreamErrors: Counter<'upstream' | 'reason'>;
  readonly malformed: Counter<'outcome'>;
  readonly serial: Gauge;
  readonly entries: Gauge;
  readonly failStatic: Gauge;
  readonly swaps: Counter<'kind'>;

  private readonly queryTallies = new Map<string, Tally>();
  private readonly tallies: Set<Tally>;

  /** Counts one answered query. */
  countQuery(action: string, rcode: string, transport: string) {
    const key = `${action}|${rcode}|${transport}`;
    let t = this.queryTallies.get(key);
    if (!t) {
      t = new Tally(this.queries, { action, rcode, transport });
      this.queryTallies.set(key, t);
      this.tallies.add(t);
    }
    t.inc();
  }

  constructor(m: Metrics) {
    const registers = [m.registry];
    const registry = m.registry;
    let tallies = talliesOf.get(registry);
    if (!tallies) {
      tallies = new Set();
      talliesOf.set(registry, tallies);
    }
    this.tallies = tallies;
    // prom-client calls `collect` before it reads a metric: the tallies are added then
    const collect = () => flushAll(registry);
    const existing = <T>(name: string) => m.registry.getSingleMetric(name) as T | undefined;
    this.queries =
      existing('yojin_dns_queries_total') ??
      new Counter({
        name: 'yojin_dns_queries_total',
        help: 'DNS queries answered, by policy action (resolve = no policy applied) and response code.',
        labelNames: ['action', 'rcode', 'transport'],
        registers,
        collect,
      });
    const hits =
      existing<Counter>('yojin_dns_cache_hits_total') ??
      new Counter({
        name: 'yojin_dns_cache_hits_total',
        help: 'Answers served from the cache.',
        registers,
        collect,
      });
    const misses =
      existing<Counter>('yojin_dns_cache_misses_total') ??
      new Counter({
        name: 'yojin_dns_cache_misses_total',
        help: 'Queries forwarded because the cache had no answer.',
        registers,
        collect,
      });
    this.cacheHits = new Tally(hits);
    this.cacheMisses = new Tally(misses);
    tallies.add(this.cacheHits);
    tallies.add(this.cacheMisses);
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
