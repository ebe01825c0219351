import { type Clock, clockFromEnv } from '../clock/index.js';
import type { Config } from '../config/index.js';
import { MeasureGate, MeasureRegistry } from '../measures/index.js';
import { createLogger, type Logger, Metrics } from '../observability/index.js';
import { migrate, openStore, type Store } from '../store/index.js';

/** A readiness contributor: /readyz is ready only when every check says so. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<{ ok: boolean; detail?: string }>;
}

/** What every capability receives: config, store, logs, metrics, clock, and the measure gate. */
export interface AppContext {
  config: Config;
  store: Store;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  measures: MeasureRegistry;
  gate: MeasureGate;
  readiness: ReadinessCheck[];
}

export interface ContextOptions {
  log?: Logger;
  clock?: Clock;
  store?: Store;
  /** Apply migrations and sync measures (default true). */
  migrate?: boolean;
}

/** Opens the store the config names, brings its schema up to date and syncs the measure registry. */
export async function createContext(config: Config, opts: ContextOptions = {}): Promise<AppContext> {
  const measures = MeasureRegistry.fromConfig(config); // validates before anything is opened
  const log = opts.log ?? createLogger(config);
  const clock = opts.clock ?? clockFromEnv();
  const store = opts.store ?? (await openStore(config));
  try {
    if (opts.migrate !== false) {
      const report = await migrate(store);
      if (report.applied.length > 0) log.info({ applied: report.applied }, 'schema migrations applied');
      await measures.sync(store);
    }
  } catch (err) {
    if (!opts.store) await store.close();
    throw err;
  }
  return {
    config,
    store,
    log,
    metrics: new Metrics(),
    clock,
    measures,
    gate: new MeasureGate(store, measures, clock),
    readiness: [],
  };
}
