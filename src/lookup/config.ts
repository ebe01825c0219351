import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

/** `[lookup]`: the Safe Browsing-style hash-prefix lookup API (src/lookup). */
export const lookupConfigSchema = section(
  {
    cache_seconds: Type.Integer({
      default: 300,
      minimum: 0,
      description: 'How long a client may cache a full-hash match before asking again (seconds).',
    }),
    negative_cache_seconds: Type.Integer({
      default: 300,
      minimum: 0,
      description: 'How long a client may trust that a prefix had no full-hash match (seconds).',
    }),
    max_prefixes: Type.Integer({
      default: 1000,
      minimum: 1,
      maximum: 100_000,
      description: 'Most hash prefixes accepted in one full-hash request.',
    }),
    sync_interval_seconds: Type.Integer({
      default: 10,
      minimum: 0,
      description:
        'How often `yojin serve` folds the change log into the prefix list (0: only when a list is requested).',
    }),
    history_serials: Type.Integer({
      default: 1_000_000,
      minimum: 1,
      description:
        'Diff history kept, in change-log serials: a client further behind than this gets the full list.',
    }),
  },
  'The privacy-preserving lookup API (hash-prefix list with diffs, full-hash lookup).',
);
