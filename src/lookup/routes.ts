import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { base64ToPrefix } from './hash.js';
import { fullHashesFor, listSince } from './list.js';

const ListQuery = Type.Object(
  {
    since: Type.Optional(
      Type.Integer({ minimum: 0, description: 'The version the client holds; absent: send the full list.' }),
    ),
  },
  { additionalProperties: false },
);

const ListReply = Type.Object({
  version: Type.Integer({ description: 'List version (the change-log serial it reflects).' }),
  full: Type.Boolean({
    description: 'true: replace the local list with `additions`; false: apply the diff.',
  }),
  additions: Type.Array(Type.String(), { description: 'base64 4-byte SHA-256 prefixes to add' }),
  removals: Type.Array(Type.String(), { description: 'base64 4-byte SHA-256 prefixes to remove' }),
});

const FullHashBody = Type.Object(
  {
    prefixes: Type.Array(Type.String({ maxLength: 64 }), {
      minItems: 1,
      description: 'base64 hash prefixes (4 bytes; up to 32 accepted, only the first 4 are looked up)',
    }),
  },
  { additionalProperties: false },
);

const FullHashReply = Type.Object({
  matches: Type.Array(
    Type.Object({
      hash: Type.String({ description: 'base64 SHA-256 of the listed expression' }),
      category: Type.String(),
      subdomains: Type.Boolean({
        description:
          'true: the listing covers subdomains of the expression host; false: that exact host only',
      }),
    }),
  ),
  cache_seconds: Type.Integer({ description: 'How long the client may cache these matches.' }),
  negative_cache_seconds: Type.Integer({
    description: 'How long the client may treat the asked prefixes without a match as unlisted.',
  }),
});

/**
 * The Safe Browsing-style lookup API. Any valid token may use it (no role): it serves ISP portals and
 * clients and carries no subscriber data; the client never sends a URL, only 4-byte hash prefixes.
 */
export async function lookupRoutes(app: FastifyInstance, ctx: AppContext) {
  const cfg = ctx.config.lookup;
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/v1/lookup/list',
    {
      schema: {
        tags: ['lookup'],
        summary: 'Hash-prefix list: full, or the diff since a version',
        description:
          'Any valid API token. 4-byte SHA-256 prefixes of the Safe Browsing expressions of listed, active indicators.',
        querystring: ListQuery,
        response: { 200: ListReply },
      },
    },
    async (req) => listSince(ctx.store, req.query.since, { historySerials: cfg.history_serials }),
  );

  app.post<{ Body: Static<typeof FullHashBody> }>(
    '/api/v1/lookup/full-hashes',
    {
      schema: {
        tags: ['lookup'],
        summary: 'Full hashes listed under the given prefixes, with category and cache durations',
        description: 'Any valid API token. Send only the prefixes that matched the local list.',
        body: FullHashBody,
        response: { 200: FullHashReply },
      },
    },
    async (req) => {
      const { prefixes } = req.body;
      if (prefixes.length > cfg.max_prefixes) {
        throw new YojinError('REQUEST_INVALID', `send at most ${cfg.max_prefixes} prefixes per request`, {
          max: cfg.max_prefixes,
          got: prefixes.length,
        });
      }
      const ints: number[] = [];
      for (const [i, p] of prefixes.entries()) {
        const d = base64ToPrefix(p);
        if (!d) {
          throw new YojinError('LOOKUP_INVALID_PREFIX', `prefixes[${i}] must be base64 of 4 to 32 bytes`, {
            index: i,
          });
        }
        ints.push(d.prefix);
      }
      const all = await fullHashesFor(ctx.store, [...new Set(ints)]);
      // A prefix longer than 4 bytes narrows the answer to the hashes that start with it.
      const asked = prefixes.map((p) => Buffer.from(p, 'base64'));
      const matches = all.filter((m) => {
        const h = Buffer.from(m.hash, 'base64');
        return asked.some((a) => h.subarray(0, a.length).equals(a));
      });
      return {
        matches,
        cache_seconds: cfg.cache_seconds,
        negative_cache_seconds: cfg.negative_cache_seconds,
      };
    },
  );
}
