import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

const ttl = (days: number, what: string) =>
  Type.Integer({ default: days, minimum: 1, maximum: 3650, description: `Default TTL in days of ${what}.` });

/** `[reputation]`: scoring, expiry, over-blocking guards and false-positive suppression. */
export const reputationConfigSchema = section(
  {
    top_sites_file: Type.String({
      default: '',
      description:
        'File of popular registrable domains (one per line, # comments) that are never listed whole; empty: the built-in list of about 200.',
    }),
    suppression_days: Type.Integer({
      default: 30,
      minimum: 0,
      maximum: 3650,
      description:
        'After a false positive is delisted, sources cannot re-list it for this many days unless they report newer evidence.',
    }),
    default_reliability: Type.Number({
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description: 'Reliability (0..1) given to a source created by its first import.',
    }),
    half_life_days: Type.Number({
      default: 30,
      minimum: 0.1,
      description: 'Age (since last seen) at which an observation counts half towards confidence.',
    }),
    default_ttl_days: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 3650,
      description: 'TTL in days for a category without its own ttl_days entry.',
    }),
    ttl_days: section(
      {
        malware_distribution: ttl(30, 'malware-distribution listings'),
        phishing: ttl(7, 'phishing listings'),
        c2: ttl(30, 'c2 listings'),
        exploit: ttl(30, 'exploit listings'),
        botnet: ttl(30, 'botnet listings'),
        spam: ttl(14, 'spam listings'),
        hijacked_netblock: ttl(90, 'hijacked-netblock listings'),
        scanner: ttl(7, 'scanner listings'),
        other: ttl(30, 'other listings'),
      },
      'Default TTL per category (key: the category with - written as _; a source can override per category).',
    ),
    expiry_schedule: Type.String({
      default: '*/5 * * * *',
      description:
        'Cron schedule of the expiry job in `yojin serve` (marks listings past their TTL expired).',
    }),
    import_batch_size: Type.Integer({
      default: 20000,
      minimum: 100,
      maximum: 1_000_000,
      description: 'Records per COPY + merge batch during imports.',
    }),
  },
  'The reputation list: scoring, expiry, over-blocking guards, false positives.',
);
