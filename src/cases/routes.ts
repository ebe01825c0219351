import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { listNotices, outboxStatus, parseDsn, recordBounce } from '../notify/index.js';
import { annotateCase, closeCase, holdCase, listCases, previewNotice, releaseCase, showCase } from './ops.js';

const CaseQuery = Type.Object(
  {
    state: Type.Optional(
      Type.Union(['open', 'watching', 'held', 'resolved', 'closed'].map((s) => Type.Literal(s))),
    ),
    measure: Type.Optional(Type.String()),
    kind: Type.Optional(Type.Union([Type.Literal('subscriber'), Type.Literal('site')])),
    subscriber: Type.Optional(Type.String()),
    site: Type.Optional(Type.String()),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const Text = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 4000 }) },
  { additionalProperties: false },
);
const Reason = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 1000 })) },
  { additionalProperties: false },
);
const NoticeQuery = Type.Object(
  {
    case: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Optional(Type.String()),
    channel: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);
const Bounce = Type.Object(
  {
    notice: Type.Optional(Type.String({ description: 'id, idempotency key or Message-ID' })),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    dsn: Type.Optional(Type.String({ description: 'a delivery status notification (RFC 3464) as received' })),
  },
  { additionalProperties: false },
);

/** /api/v1/cases, /api/v1/notices, /api/v1/outbox */
export async function caseRoutes(app: FastifyInstance, ctx: AppContext) {
  const who = (req: { principal?: { name: string } }) => `token:${req.principal?.name ?? 'unknown'}`;
  app.get<{ Querystring: Static<typeof CaseQuery> }>(
    '/api/v1/cases',
    {
      config: { roles: ['operator', 'analyst', 'auditor'] },
      schema: { tags: ['cases'], summary: 'Cases, newest first (no contact data)', querystring: CaseQuery },
    },
    async (req) => {
      const cases = await listCases(ctx.store, req.query);
      return {
        cases,
        next_before: cases.length === (req.query.limit ?? 100) ? cases[cases.length - 1].id : null,
      };
    },
  );
  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/cases/:id',
    {
      config: { roles: ['operator', 'auditor'] },
      schema: {
        tags: ['cases'],
        summary: 'One case: evidence timeline, notices, notes (audited)',
        params: IdParams,
      },
    },
    async (req) => showCase(ctx, req.params.id, who(req)),
  );
  app.get<{ Params: Static<typeof IdParams>; Querystring: { stage?: number } }>(
    '/api/v1/cases/:id/preview',
    {
      config: { roles: ['operator'] },
      schema: {
        tags: ['cases'],
        summary: 'The next notice of a case, rendered, not sent (audited)',
        params: IdParams,
        querystring: Type.Object({ stage: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })) }),
      },
    },
    async (req) => previewNotice(ctx, req.params.id, who(req), req.query.stage),
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Text> }>(
    '/api/v1/cases/:id/notes',
    {
      config: { roles: ['operator'] },
      schema: { tags: ['cases'], summary: 'Add an operator note', params: IdParams, body: Text },
    },
    async (req) => annotateCase(ctx, req.params.id, who(req), req.body.text),
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
    '/api/v1/cases/:id/hold',
    {
      config: { roles: ['operator'] },
      schema: {
        tags: ['cases'],
        summary: 'Hold: stop escalation until released',
        params: IdParams,
        body: Reason,
      },
    },
    async (req) => holdCase(ctx, req.params.id, who(req), req.body?.reason ?? ''),
  );
  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/cases/:id/release',
    {
      config: { roles: ['operator'] },
      schema: { tags: ['cases'], summary: 'Release a held case', params: IdParams },
    },
    async (req) => releaseCase(ctx, req.params.id, who(req)),
  );
  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Reason> }>(
    '/api/v1/cases/:id/close',
    {
      config: { roles: ['operator'] },
      schema: { tags: ['cases'], summary: 'Close a case', params: IdParams, body: Reason },
    },
    async (req) => closeCase(ctx, req.params.id, who(req), req.body?.reason ?? 'closed by operator'),
  );
  app.get<{ Querystring: Static<typeof NoticeQuery> }>(
    '/api/v1/notices',
    {
      config: { roles: ['operator', 'auditor'] },
      schema: {
        tags: ['notices'],
        summary: 'Notices in the outbox, newest first (without their text)',
        querystring: NoticeQuery,
      },
    },
    async (req) => ({
      notices: (
        await listNotices(ctx.store, {
          caseId: req.query.case,
          status: req.query.status,
          channel: req.query.channel,
          limit: req.query.limit,
        })
      ).map(({ payload: _p, ...n }) => n),
    }),
  );
  app.post<{ Body: Static<typeof Bounce> }>(
    '/api/v1/notices/bounces',
    {
      config: { roles: ['operator'] },
      schema: { tags: ['notices'], summary: 'Record a bounce (by notice reference or a DSN)', body: Bounce },
    },
    async (req) => {
      let ref = req.body.notice;
      let reason = req.body.reason ?? 'bounced';
      if (req.body.dsn) {
        const dsn = parseDsn(req.body.dsn);
        if (!dsn.isBounce || !dsn.messageId)
          throw new YojinError(
            'REQUEST_INVALID',
            `the DSN is not a failure naming a Message-ID (action ${dsn.action ?? 'none'})`,
          );
        ref = dsn.messageId;
        reason = [dsn.status, dsn.diagnostic].filter(Boolean).join(' ') || 'DSN failed';
      }
      if (!ref) throw new YojinError('REQUEST_INVALID', 'give "notice" (id, key or Message-ID) or "dsn"');
      const { payload: _p, ...n } = await recordBounce(ctx, ref, reason, who(req));
      return n;
    },
  );
  app.get(
    '/api/v1/outbox',
    {
      config: { roles: ['operator', 'auditor'] },
      schema: { tags: ['notices'], summary: 'Outbox health: counts by status/channel, due, stuck' },
    },
    async () => outboxStatus(ctx),
  );
}
