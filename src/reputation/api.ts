import { Transform } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { StringEnum } from '../api/schema.js';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { CATEGORIES, FORMATS, getParser, readLines } from '../pipeline/index.js';
import { ALLOW_KINDS, type AllowKind, addAllowlist, listAllowlist, removeAllowlist } from './allowlist.js';
import { changesSince, currentSerial } from './changelog.js';
import { check } from './check.js';
import {
  delistIndicator,
  getFpReport,
  listFpReports,
  relistIndicator,
  reportFalsePositive,
  reviewFpReport,
} from './fp.js';
import { importFeed } from './import.js';
import { getIndicator, listIndicators } from './query.js';
import {
  createSource,
  deleteSource,
  getSource,
  listSources,
  type SourceInput,
  updateSource,
} from './sources.js';
import { SCOPES, STATUSES } from './types.js';

const TAGS = ['reputation'];
const ANALYST = { roles: ['analyst' as const] };
const READERS = { roles: ['analyst' as const, 'operator' as const, 'auditor' as const] };
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Obj = Type.Object({}, { additionalProperties: true });

const MatchSchema = Type.Object({
  via: Type.String(),
  how: Type.String(),
  indicator: Type.Object({
    id: Type.Integer(),
    kind: Type.String(),
    value: Type.String(),
    category: Type.String(),
    status: Type.String(),
    scope: Type.String(),
    scope_reason: Type.Union([Type.String(), Type.Null()]),
    confidence: Type.Number(),
    first_seen: Type.String(),
    last_seen: Type.String(),
    expires_at: Type.Union([Type.String(), Type.Null()]),
    sources: Type.Array(Type.String()),
  }),
});

const SourceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.Optional(StringEnum(['feed', 'sensor', 'crawler', 'partner', 'analyst'] as const)),
    format: Type.Optional(Type.Union([StringEnum(FORMATS), Type.Null()])),
    url: Type.Optional(Type.Union([Type.String({ maxLength: 2000 }), Type.Null()])),
    schedule: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    reliability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    default_ttl_days: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), Type.Integer({ minimum: 1, maximum: 3650 }), {
        description: 'TTL in days per category, e.g. {"phishing": 3}',
      }),
    ),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Counts bytes of an upload and fails with 413 past the limit (raw bodies bypass Fastify's bodyLimit). */
function limited(limit: number) {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      if (n > limit)
        cb(
          new YojinError(
            'REQUEST_TOO_LARGE',
            `the upload is larger than http.upload_limit_bytes (${limit} bytes)`,
          ),
        );
      else cb(null, chunk);
    },
  });
}

/** Reputation API: verdicts, indicator search and detail, sources, FP reports, allowlist, import, changes. */
export async function reputationRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get<{ Querystring: { value: string } }>(
    '/api/v1/check',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary:
          'Verdict for a URL, domain or IP: listed or not, which listing matched through which expression',
        querystring: Type.Object({ value: Type.String({ minLength: 1, maxLength: 4096 }) }),
        response: {
          200: Type.Object({
            input: Type.String(),
            kind: Type.String(),
            canonical: Type.String(),
            listed: Type.Boolean(),
            matches: Type.Array(MatchSchema),
          }),
        },
      },
    },
    async (req) => check(ctx, req.query.value),
  );

  app.get<{ Querystring: Record<string, string | number | undefined> }>(
    '/api/v1/indicators',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary:
          'Search listings: value substring, kind, category, status, scope, source, confidence range, last-seen range; paginated',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 500 })),
            kind: Type.Optional(StringEnum(['url', 'domain', 'ip', 'cidr'] as const)),
            category: Type.Optional(StringEnum(CATEGORIES)),
            status: Type.Optional(StringEnum(STATUSES)),
            scope: Type.Optional(StringEnum(SCOPES)),
            source: Type.Optional(Type.String()),
            min_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            max_confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            seen_after: Type.Optional(Type.String({ format: 'date-time' })),
            seen_before: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
            offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const q = req.query;
      return listIndicators(ctx.store, {
        q: q.q as string | undefined,
        kind: q.kind as string | undefined,
        category: q.category as string | undefined,
        status: q.status as string | undefined,
        scope: q.scope as string | undefined,
        source: q.source as string | undefined,
        minConfidence: q.min_confidence as number | undefined,
        maxConfidence: q.max_confidence as number | undefined,
        seenAfter: q.seen_after as string | undefined,
        seenBefore: q.seen_before as string | undefined,
        limit: q.limit as number | undefined,
        offset: q.offset as number | undefined,
      });
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/v1/indicators/:id',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary: 'One listing with its observations, history and change-log entries',
        params: IdParams,
      },
    },
    async (req) => getIndicator(ctx.store, req.params.id),
  );

  const ReasonBody = Type.Object(
    { reason: Type.String({ minLength: 1, maxLength: 4000 }) },
    { additionalProperties: false },
  );
  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/api/v1/indicators/:id/delist',
    {
      config: ANALYST,
      schema: {
        tags: TAGS,
        summary: 'Delist as a false positive (then suppressed)',
        params: IdParams,
        body: ReasonBody,
      },
    },
    async (req) => {
      await delistIndicator(ctx, req.params.id, { actor: req.principal!.name, reason: req.body.reason });
      return getIndicator(ctx.store, req.params.id);
    },
  );
  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    '/api/v1/indicators/:id/relist',
    {
      config: ANALYST,
      schema: { tags: TAGS, summary: 'Undo a delisting', params: IdParams, body: ReasonBody },
    },
    async (req) => {
      await relistIndicator(ctx, req.params.id, { actor: req.principal!.name, reason: req.body.reason });
      return getIndicator(ctx.store, req.params.id);
    },
  );

  app.get<{ Querystring: { since: number; limit: number } }>(
    '/api/v1/changes',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary: 'Changes to what is enforced after serial `since` (exclusive), oldest first',
        querystring: Type.Object({
          since: Type.Integer({ minimum: 0, default: 0 }),
          limit: Type.Integer({ minimum: 1, maximum: 100000, default: 10000 }),
        }),
      },
    },
    async (req) => ({
      serial: await currentSerial(ctx.store),
      changes: await changesSince(ctx.store, req.query.since, req.query.limit),
    }),
  );

  // sources
  app.get(
    '/api/v1/sources',
    { config: READERS, schema: { tags: TAGS, summary: 'Sources with reliability, TTLs and health' } },
    () => listSources(ctx.store),
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/sources/:id',
    { config: READERS, schema: { tags: TAGS, summary: 'One source', params: IdParams } },
    (req) => getSource(ctx.store, req.params.id),
  );
  app.post<{ Body: SourceInput }>(
    '/api/v1/sources',
    { config: ANALYST, schema: { tags: TAGS, summary: 'Create a source', body: SourceBody } },
    async (req, reply) => reply.status(201).send(await createSource(ctx, req.body)),
  );
  app.patch<{ Params: { id: number }; Body: Partial<SourceInput> }>(
    '/api/v1/sources/:id',
    {
      config: ANALYST,
      schema: { tags: TAGS, summary: 'Change a source', params: IdParams, body: Type.Partial(SourceBody) },
    },
    (req) => updateSource(ctx, req.params.id, req.body),
  );
  app.delete<{ Params: { id: number } }>(
    '/api/v1/sources/:id',
    {
      config: ANALYST,
      schema: {
        tags: TAGS,
        summary: 'Delete a source without observations (else disable it)',
        params: IdParams,
      },
    },
    async (req, reply) => {
      await deleteSource(ctx, req.params.id);
      return reply.status(204).send();
    },
  );

  // false positives
  app.post<{
    Body: { value: string; reporter?: string; contact?: string; reason: string; lang?: 'ja' | 'en' };
  }>(
    '/api/v1/fp-reports',
    {
      schema: {
        tags: TAGS,
        summary: 'Report a false positive (goes to the review queue)',
        body: Type.Object(
          {
            value: Type.String({ minLength: 1, maxLength: 4096 }),
            reporter: Type.Optional(Type.String({ maxLength: 200 })),
            contact: Type.Optional(Type.String({ maxLength: 320 })),
            reason: Type.String({ minLength: 1, maxLength: 4000 }),
            lang: Type.Optional(StringEnum(['ja', 'en'] as const)),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await reportFalsePositive(ctx, req.body)),
  );
  app.get<{ Querystring: { status?: string; limit: number; offset: number } }>(
    '/api/v1/fp-reports',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary: 'False-positive reports (the review queue is status=pending)',
        querystring: Type.Object({
          status: Type.Optional(StringEnum(['pending', 'accepted', 'rejected'] as const)),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          offset: Type.Integer({ minimum: 0, default: 0 }),
        }),
      },
    },
    (req) => listFpReports(ctx, req.query),
  );
  app.get<{ Params: { id: number } }>(
    '/api/v1/fp-reports/:id',
    { config: READERS, schema: { tags: TAGS, summary: 'One report', params: IdParams } },
    (req) => getFpReport(ctx, req.params.id),
  );
  app.post<{ Params: { id: number }; Body: { decision: 'accept' | 'reject'; note: string } }>(
    '/api/v1/fp-reports/:id/review',
    {
      config: ANALYST,
      schema: {
        tags: TAGS,
        summary: 'Accept (delist the listing, with suppression) or reject a report',
        params: IdParams,
        body: Type.Object(
          {
            decision: StringEnum(['accept', 'reject'] as const),
            note: Type.String({ minLength: 1, maxLength: 4000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    (req) => reviewFpReport(ctx, req.params.id, { ...req.body, reviewer: req.principal!.name }),
  );

  // allowlist
  app.get<{ Querystring: { all?: boolean } }>(
    '/api/v1/allowlist',
    {
      config: READERS,
      schema: {
        tags: TAGS,
        summary: 'Allowlist entries',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
      },
    },
    (req) => listAllowlist(ctx.store, req.query.all),
  );
  app.post<{ Body: { kind: AllowKind; value: string; reason: string } }>(
    '/api/v1/allowlist',
    {
      config: ANALYST,
      schema: {
        tags: TAGS,
        summary: 'Allowlist a domain (and subdomains), a registrable domain or one URL',
        body: Type.Object(
          {
            kind: StringEnum(ALLOW_KINDS),
            value: Type.String({ minLength: 1, maxLength: 4096 }),
            reason: Type.String({ minLength: 1, maxLength: 4000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) =>
      reply.status(201).send(await addAllowlist(ctx, { ...req.body, actor: req.principal!.name })),
  );
  app.delete<{ Params: { id: number } }>(
    '/api/v1/allowlist/:id',
    {
      config: ANALYST,
      schema: {
        tags: TAGS,
        summary: 'Remove an allowlist entry (listings it covered are re-scored)',
        params: IdParams,
      },
    },
    (req) => removeAllowlist(ctx, req.params.id, req.principal!.name),
  );

  // file import by upload: a scope of its own, so the raw-body parsers stay local to this route
  await app.register(async (scoped) => {
    scoped.removeContentTypeParser(['text/plain', 'application/octet-stream']);
    scoped.addContentTypeParser(['text/plain', 'application/octet-stream'], (_req, payload, done) =>
      done(null, payload),
    );
    scoped.post<{ Querystring: { format: string; source?: string } }>(
      '/api/v1/import',
      {
        config: ANALYST,
        schema: {
          tags: TAGS,
          summary:
            'Import a feed file sent as the raw body (text/plain or application/octet-stream, gzip allowed)',
          description: `Streams the body through the format's parser; limit http.upload_limit_bytes. Formats: ${FORMATS.join(', ')}.`,
          querystring: Type.Object(
            {
              format: StringEnum(FORMATS),
              source: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            },
            { additionalProperties: false },
          ),
          response: { 200: Obj },
        },
      },
      async (req) => {
        const body = req.body as NodeJS.ReadableStream | undefined;
        if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function')
          throw new YojinError(
            'UNSUPPORTED_MEDIA_TYPE',
            'send the feed as the raw body with Content-Type text/plain or application/octet-stream',
          );
        const declared = Number(req.headers['content-length'] ?? 0);
        const limit = ctx.config.http.upload_limit_bytes;
        if (declared > limit)
          throw new YojinError(
            'REQUEST_TOO_LARGE',
            `the upload is larger than http.upload_limit_bytes (${limit} bytes)`,
          );
        const stream = body.pipe(limited(limit));
        body.on('error', (e: Error) => stream.destroy(e));
        return importFeed(ctx, {
          source: req.query.source ?? req.query.format,
          format: req.query.format,
          items: getParser(req.query.format).parse(readLines(stream)),
        });
      },
    );
  });
}
