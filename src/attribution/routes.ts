import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { ASSIGNMENT_FORMATS, importAssignments } from '../pipeline/assignments/index.js';
import { EVIDENCE_FORMATS, importEvidence } from '../pipeline/evidence/index.js';
import { attributePending } from './attribute.js';

const LineErrors = Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }));

const AssignmentQuery = Type.Object({
  format: Type.Unsafe<string>({ type: 'string', enum: [...ASSIGNMENT_FORMATS] }),
  source: Type.Optional(Type.String()),
  subscriber_field: Type.Optional(Type.String()),
  year: Type.Optional(Type.Integer()),
});
const EvidenceQuery = Type.Object({
  format: Type.Unsafe<string>({ type: 'string', enum: [...EVIDENCE_FORMATS] }),
  measure: Type.Optional(Type.String()),
  source: Type.Optional(Type.String()),
});

export async function attributionRoutes(app: FastifyInstance, ctx: AppContext) {
  // Log and evidence uploads: the body is the file as it is, whatever its content type.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'string', bodyLimit: ctx.config.http.upload_limit_bytes },
      (_r, body, done) => done(null, body),
    );

    scope.post<{ Querystring: Static<typeof AssignmentQuery>; Body: string }>(
      '/api/v1/assignments/import',
      {
        config: { roles: ['operator'] },
        schema: {
          tags: ['attribution'],
          summary:
            'Import an assignment log (the request body is the file); unusable lines reported by number',
          querystring: AssignmentQuery,
          response: {
            200: Type.Object({
              format: Type.String(),
              imported: Type.Integer(),
              closed: Type.Integer(),
              open: Type.Integer(),
              rules: Type.Optional(Type.Integer()),
              errors: LineErrors,
              errorCount: Type.Integer(),
            }),
          },
        },
      },
      async (req) =>
        importAssignments(
          ctx,
          { text: String(req.body ?? '') },
          {
            format: req.query.format,
            source: req.query.source,
            subscriberField: req.query.subscriber_field,
            year: req.query.year,
            actor: req.principal!.name,
          },
        ),
    );

    scope.post<{ Querystring: Static<typeof EvidenceQuery>; Body: string }>(
      '/api/v1/evidence/import',
      {
        config: { roles: ['operator'] },
        schema: {
          tags: ['attribution'],
          summary:
            'Import evidence for a measure (the request body is the file); the measure must permit it (audited)',
          querystring: EvidenceQuery,
          response: {
            200: Type.Object({
              format: Type.String(),
              measure: Type.String(),
              imported: Type.Integer(),
              errors: LineErrors,
              errorCount: Type.Integer(),
            }),
          },
        },
      },
      async (req) =>
        importEvidence(
          ctx,
          { text: String(req.body ?? '') },
          {
            format: req.query.format,
            measure: req.query.measure,
            source: req.query.source,
            actor: req.principal!.name,
          },
        ),
    );
  });

  app.post<{ Body: { limit?: number; measure?: string } | undefined }>(
    '/api/v1/attribution/run',
    {
      config: { roles: ['operator'] },
      schema: {
        tags: ['attribution'],
        summary: 'Attribute pending evidence once (refusals counted by reason)',
        body: Type.Optional(
          Type.Object(
            { limit: Type.Optional(Type.Integer({ minimum: 1 })), measure: Type.Optional(Type.String()) },
            { additionalProperties: false },
          ),
        ),
      },
    },
    async (req) =>
      attributePending(ctx, {
        limit: req.body?.limit,
        measure: req.body?.measure,
        actor: req.principal!.name,
      }),
  );
}
