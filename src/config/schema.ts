import { type Static, Type } from '@sinclair/typebox';
import { attributionConfig } from '../attribution/config.js';
import { casesConfigSchema } from '../cases/config.js';
import { dnsConfigSchema } from '../dns/config.js';
import { lookupConfigSchema } from '../lookup/config.js';
import { measureOverrideSchema } from '../measures/config.js';
import { notifyConfigSchema, smtpConfigSchema } from '../notify/config.js';
import { feedsConfigSchema } from '../pipeline/config.js';
import { reputationConfigSchema } from '../reputation/config.js';
import { rpzConfigSchema } from '../rpz/config.js';
import { selfserviceConfigSchema } from '../selfservice/config.js';
import { sharingConfigSchema } from '../sharing/config.js';
import { siteownersConfigSchema } from '../siteowners/config.js';
import { warningConfigSchema } from '../warning/config.js';

import { HOST_PORT_PATTERN, section } from './section.js';

export { section } from './section.js';

const hostPort = (def: string, description: string) =>
  Type.String({ default: def, pattern: HOST_PORT_PATTERN, description });

/**
 * The whole configuration. Every capability contributes its own section here; each key has a default
 * and a description (the descriptions are what `docs/configuration.md` documents).
 */
export const configSchema = Type.Object(
  {
    data_dir: Type.String({
      default: './.yojin',
      description: 'Directory of the embedded PGlite store and other local state.',
    }),
    database: section(
      {
        url: Type.String({
          default: '',
          description:
            'postgres:// URL of a PostgreSQL server; empty means the embedded PGlite store in data_dir.',
        }),
        pool_max: Type.Integer({
          default: 10,
          minimum: 1,
          maximum: 200,
          description: 'Connection pool size (server only).',
        }),
      },
      'Where yojin keeps its state.',
    ),
    http: section(
      {
        listen: hostPort('127.0.0.1:8080', 'Address of the API, metrics and dashboard.'),
        body_limit_bytes: Type.Integer({
          default: 1_048_576,
          minimum: 1024,
          description: 'Largest JSON request body accepted (file uploads have their own limit).',
        }),
        upload_limit_bytes: Type.Integer({
          default: 536_870_912,
          minimum: 1024,
          description: 'Largest file upload accepted (feed imports).',
        }),
        public_url: Type.String({
          default: '',
          description: 'URL under which users reach the API/UI (for links).',
        }),
      },
      'The HTTP API server.',
    ),
    log: section(
      {
        level: Type.Union(
          ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'Lowest level logged.' },
        ),
        format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
          default: 'auto',
          description: 'auto: readable on a terminal, JSON otherwise.',
        }),
      },
      'Structured logs.',
    ),
    jobs: section(
      {
        retention_purge: Type.String({
          default: '17 3 * * *',
          description:
            'Cron schedule of the retention purge (deletes protected data past its measure retention).',
        }),
      },
      'Scheduled jobs in `yojin serve`.',
    ),
    dns: dnsConfigSchema,
    warning: warningConfigSchema,
    reputation: reputationConfigSchema,
    rpz: rpzConfigSchema,
    lookup: lookupConfigSchema,
    sharing: sharingConfigSchema,
    attribution: attributionConfig,
    cases: casesConfigSchema,
    notify: notifyConfigSchema,
    smtp: smtpConfigSchema,
    selfservice: selfserviceConfigSchema,
    siteowners: siteownersConfigSchema,
    feeds: feedsConfigSchema,
    measures: Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), measureOverrideSchema, {
      default: {},
      description:
        'Per-measure overrides of the built-in registry (legal basis, retention, default consent, …).',
    }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof configSchema>;
