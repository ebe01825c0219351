import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';
import { appendAudit, listAudit, verifyAudit } from '../../audit/index.js';

const AuditQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    measure: Type.Optional(Type.String()),
    action: Type.Optional(Type.String()),
    subject: Type.Optional(Type.String()),
    actor: Type.Optional(Type.String()),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  },
  { additionalProperties: false },
);

export async function auditRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/v1/audit',
    {
      config: { roles: ['auditor'] },
      schema: { tags: ['audit'], summary: 'Audit records, newest first', querystring: AuditQuery },
    },
    async (req) => {
      const q = req.query;
      const records = await listAudit(ctx.store, {
        ...q,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
      });
      return {
        records,
        next_before: records.length === (q.limit ?? 100) ? records[records.length - 1].seq : null,
      };
    },
  );

  app.post(
    '/api/v1/audit/verify',
    {
      config: { roles: ['auditor'] },
      schema: { tags: ['audit'], summary: 'Verify the whole hash chain; reports the first broken link' },
    },
    async (req) => {
      const report = await verifyAudit(ctx.store);
      await appendAudit(
        ctx.store,
        {
          actor: req.principal!.name,
          action: 'audit.verify',
          outcome: 'done',
          details: { ok: report.ok, checked: report.checked, firstBroken: report.firstBroken },
        },
        ctx.clock,
      );
      return report;
    },
  );
}
