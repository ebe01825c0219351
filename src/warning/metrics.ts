import { Counter } from 'prom-client';
import type { Metrics } from '../observability/index.js';

export interface WarningMetrics {
  pages: Counter<'category' | 'lang'>;
  continues: Counter<'outcome'>;
  reports: Counter<'outcome'>;
}

function counter<L extends string>(m: Metrics, name: string, help: string, labelNames: L[]): Counter<L> {
  // One registry per process may host several warning servers (tests): reuse what is registered.
  const existing = m.registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [m.registry] });
}

/** Counts only: what the measure's effect reports need (warnings shown, continues, reports), no clients. */
export function warningMetrics(m: Metrics): WarningMetrics {
  return {
    pages: counter(m, 'yojin_warning_pages_total', 'Warning pages shown, by category and language.', [
      'category',
      'lang',
    ]),
    continues: counter(m, 'yojin_warning_continues_total', 'Continue-anyway requests, by outcome.', [
      'outcome',
    ]),
    reports: counter(m, 'yojin_warning_reports_total', 'Report-a-mistake submissions, by outcome.', [
      'outcome',
    ]),
  };
}
