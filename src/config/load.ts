import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseToml } from 'smol-toml';
import { YojinError } from '../errors/index.js';
import { envOverrides } from './env.js';
import { type Config, configSchema } from './schema.js';

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, coerceTypes: false });
const validate = ajv.compile<Config>(configSchema);

export interface LoadOptions {
  /** Path of a TOML file; missing means defaults only. */
  file?: string;
  /** Environment to read YOJIN_* overrides from (defaults to process.env). */
  env?: NodeJS.ProcessEnv;
  /** Values set on the command line; applied last. Dotted keys (`http.listen`). */
  overrides?: Record<string, unknown>;
}

/** Reads the config file, applies YOJIN_* env and command-line overrides, validates, fills defaults. */
export function loadConfig(opts: LoadOptions = {}): Config {
  let raw: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new YojinError(
        'CONFIG_FILE_UNREADABLE',
        `cannot read config file ${opts.file}: ${(err as Error).message}`,
      );
    }
    try {
      raw = parseToml(text) as Record<string, unknown>;
    } catch (err) {
      throw new YojinError(
        'CONFIG_FILE_UNREADABLE',
        `config file ${opts.file} is not valid TOML: ${(err as Error).message}`,
      );
    }
  }
  for (const [key, value] of Object.entries(envOverrides(opts.env ?? process.env)))
    setDotted(raw, key, value);
  for (const [key, value] of Object.entries(opts.overrides ?? {}))
    if (value !== undefined) setDotted(raw, key, value);
  return validateConfig(raw);
}

export function validateConfig(raw: Record<string, unknown>): Config {
  const copy = structuredClone(raw);
  if (validate(copy)) return copy;
  throw configError(validate.errors ?? []);
}

function setDotted(target: Record<string, unknown>, dotted: string, value: unknown) {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

function keyOf(e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return path ? `${path}.${extra}` : extra;
  }
  return path || '(root)';
}

function configError(errors: ErrorObject[]): YojinError {
  // Union schemas report one error per branch; keep the most useful one per key.
  const byKey = new Map<string, ErrorObject>();
  for (const e of errors) {
    const k = keyOf(e);
    if (!byKey.has(k) || e.keyword === 'additionalProperties') byKey.set(k, e);
  }
  const unknown = [...byKey.entries()].filter(([, e]) => e.keyword === 'additionalProperties');
  if (unknown.length > 0) {
    const keys = unknown.map(([k]) => k);
    return new YojinError(
      'CONFIG_UNKNOWN_KEY',
      `unknown configuration key${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`,
      {
        keys,
      },
    );
  }
  const problems = [...byKey.entries()].map(([k, e]) => ({ key: k, problem: describe(e) }));
  return new YojinError(
    'CONFIG_INVALID_VALUE',
    `invalid configuration: ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`,
    { problems },
  );
}

function describe(e: ErrorObject): string {
  if (e.keyword === 'anyOf' || e.keyword === 'const') return 'is not one of the allowed values';
  return e.message ?? 'is invalid';
}
