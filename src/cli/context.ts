import type { Command } from 'commander';
import { type AppContext, createContext } from '../app/index.js';
import { type Config, loadConfig } from '../config/index.js';
import { createLogger } from '../observability/index.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** Config for a command: file (--config or YOJIN_CONFIG), YOJIN_* env, then global flags, then `extra`. */
export function configFor(cmd: Command, extra: Record<string, unknown> = {}): Config {
  const g = cmd.optsWithGlobals() as GlobalOptions;
  return loadConfig({
    file: g.config ?? process.env.YOJIN_CONFIG,
    overrides: { data_dir: g.dataDir, 'database.url': g.databaseUrl, ...extra },
  });
}

/**
 * Runs a command body on an open, migrated store and closes it afterwards. Commands log to stderr
 * (warn and up unless --verbose) so that stdout carries only their result.
 */
export async function withContext<T>(
  cmd: Command,
  fn: (ctx: AppContext) => Promise<T>,
  extra: Record<string, unknown> = {},
): Promise<T> {
  const config = configFor(cmd, extra);
  const verbose = (cmd.optsWithGlobals() as { verbose?: boolean }).verbose;
  const log = createLogger({ log: { ...config.log, level: verbose ? config.log.level : 'warn' } });
  const ctx = await createContext(config, { log });
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}

/** Prints a command's result: JSON with --json, else the human form. */
export function output(cmd: Command, value: unknown, human: () => string) {
  const json = (cmd.opts() as { json?: boolean }).json;
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}
