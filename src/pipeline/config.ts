import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';
import { FORMATS } from './parsers/index.js';
import { CATEGORIES } from './types.js';

const feedSource = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'Source name (unique; observations cite it).',
    }),
    url: Type.String({ pattern: '^https?://', description: 'HTTP(S) URL of the feed.' }),
    format: Type.Union(
      FORMATS.map((f) => Type.Literal(f)),
      { description: `Feed format: ${FORMATS.join(', ')}.` },
    ),
    schedule: Type.String({ default: '17 * * * *', description: 'Cron schedule of the pulls.' }),
    reliability: Type.Number({
      default: 0.5,
      minimum: 0,
      maximum: 1,
      description: 'How far the source is trusted (0–1); used in confidence scores.',
    }),
    enabled: Type.Boolean({ default: true, description: 'Pull this feed.' }),
    category: Type.Optional(
      Type.Union(
        CATEGORIES.map((c) => Type.Literal(c)),
        { description: 'Category of records the format leaves as `other` (RPZ zones, plain lists).' },
      ),
    ),
  },
  { additionalProperties: false },
);

/** `[feeds]`: feeds `yojin serve` pulls over HTTP(S) on schedules. */
export const feedsConfigSchema = section(
  {
    user_agent: Type.String({
      default: 'yojin-feed-collector/0.1',
      description: 'User-Agent sent with feed pulls (some vendors ask for a contact).',
    }),
    timeout_seconds: Type.Integer({
      default: 120,
      minimum: 1,
      description: 'Give up a pull when no headers or no body data arrive for this long.',
    }),
    max_bytes: Type.Integer({
      default: 1_073_741_824,
      minimum: 1024,
      description: 'Largest feed body read; a larger one fails the pull.',
    }),
    backoff_base_seconds: Type.Integer({
      default: 60,
      minimum: 1,
      description: 'Retry delay after the first failure; doubled after each further failure.',
    }),
    backoff_max_seconds: Type.Integer({
      default: 21_600,
      minimum: 1,
      description: 'Longest retry delay while a feed keeps failing.',
    }),
    sources: Type.Array(feedSource, {
      default: [],
      description:
        'Feeds to pull (`[[feeds.sources]]` tables: name, url, format, schedule, reliability, enabled).',
    }),
  },
  'Feeds pulled over HTTP(S) by `yojin serve`.',
);
