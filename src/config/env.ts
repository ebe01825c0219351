import type { TSchema } from '@sinclair/typebox';
import { YojinError } from '../errors/index.js';
import { configSchema } from './schema.js';

/** Variables that are read elsewhere and are not config keys. */
const NON_CONFIG_VARS = new Set(['YOJIN_CONFIG', 'YOJIN_CLOCK', 'YOJIN_DATABASE_URL_ADMIN']);

interface Leaf {
  key: string;
  schema: TSchema;
}

/** Every scalar config key, by its environment name: `http.listen` ← `YOJIN_HTTP_LISTEN`. */
export function envTable(): Map<string, Leaf> {
  const table = new Map<string, Leaf>();
  const walk = (schema: TSchema, path: string[]) => {
    if (schema.type === 'object' && schema.properties) {
      for (const [name, sub] of Object.entries(schema.properties as Record<string, TSchema>))
        walk(sub, [...path, name]);
      return;
    }
    if (schema.type === 'object') return; // records (e.g. measures) are file-only
    table.set(`YOJIN_${path.join('_').toUpperCase()}`, { key: path.join('.'), schema });
  };
  walk(configSchema, []);
  return table;
}

/** YOJIN_* variables as dotted config overrides, typed by the schema. Unknown YOJIN_* names are refused. */
export function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const table = envTable();
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('YOJIN_') || value === undefined) continue;
    if (name.startsWith('YOJIN_TEST_') || NON_CONFIG_VARS.has(name)) continue;
    const leaf = table.get(name);
    if (!leaf) {
      throw new YojinError(
        'CONFIG_UNKNOWN_KEY',
        `environment variable ${name} does not name a configuration key`,
        {
          keys: [name],
        },
      );
    }
    out[leaf.key] = coerce(value, leaf.schema, name);
  }
  return out;
}

function coerce(value: string, schema: TSchema, name: string): unknown {
  const fail = (what: string) =>
    new YojinError('CONFIG_INVALID_VALUE', `${name}=${JSON.stringify(value)} is not ${what}`, {
      problems: [{ key: name, problem: `is not ${what}` }],
    });
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || Number.isNaN(n)) throw fail('a number');
      return n;
    }
    case 'boolean':
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      throw fail('a boolean (true/false)');
    case 'array':
      return value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return value;
  }
}
