import { type AppContext, createContext } from '../app/index.js';
import { ManualClock } from '../clock/index.js';
import { type Config, validateConfig } from '../config/index.js';
import { createLogger } from '../observability/index.js';
import type { TestBackend } from './stores.js';

/** An AppContext on a fresh store of `backend`, with a manual clock and quiet logs. */
export async function testContext(
  backend: TestBackend,
  configRaw: Record<string, unknown> = {},
): Promise<AppContext & { clock: ManualClock; dispose(): Promise<void> }> {
  const config: Config = validateConfig({ log: { level: 'silent', format: 'json' }, ...configRaw });
  const store = await backend.open();
  const clock = new ManualClock('2026-11-01T00:00:00Z');
  const ctx = await createContext(config, { store, clock, log: createLogger(config) });
  return Object.assign(ctx, { clock, dispose: () => store.dispose() });
}
