import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One Prometheus registry per process; every metric is named `yojin_*`. Capability modules create
 * their metrics on `metrics.registry` (prom-client's Counter/Gauge/Histogram with `registers`).
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly storeUp: Gauge;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'yojin_' });
    this.httpRequests = new Counter({
      name: 'yojin_http_requests_total',
      help: 'HTTP requests served, by route and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'yojin_http_request_duration_seconds',
      help: 'HTTP request latency.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [this.registry],
    });
    this.storeUp = new Gauge({
      name: 'yojin_store_up',
      help: '1 when the last store health check succeeded.',
      registers: [this.registry],
    });
  }
}
