import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { login } from '../auth/index.js';
import { monthlyReport, reportCsv } from './monthly.js';

const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM' });

/** Dashboard sign-in, the overview and the monthly report (JSON and CSV). */
export async function reportRoutes(app: FastifyInstance, ctx: AppContext) {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with a dashboard user; returns a session token (12 h)',
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 64 }),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const s = await login(ctx.store, req.body.username, req.body.password, ctx.clock.now());
      await appendAudit(
        ctx.store,
        { actor: s.user.username, action: 'auth.login', outcome: 'done', subject: `user:${s.user.username}` },
        ctx.clock,
      );
      return {
        token: s.token,
        username: s.user.username,
        role: s.user.role,
        language: s.user.language,
        expires_at: s.expiresAt.toISOString(),
      };
    },
  );

  const thisMonth = () => ctx.clock.now().toISOString().slice(0, 7);
  app.get<{ Querystring: { month?: string } }>(
    '/api/v1/reports/monthly',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Monthly activity figures (ACTIVE style): listings, warnings, C&C blocks, notices, cases, remediation; by measure, family and category, with a 6-month trend',
        querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
      },
    },
    async (req) => monthlyReport(ctx.store, req.query.month ?? thisMonth()),
  );
  app.get<{ Querystring: { month?: string } }>(
    '/api/v1/reports/monthly.csv',
    {
      schema: {
        tags: ['reports'],
        summary: 'The monthly report as CSV',
        querystring: Type.Object({ month: Type.Optional(Month) }, { additionalProperties: false }),
      },
    },
    async (req, reply) => {
      const month = req.query.month ?? thisMonth();
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="yojin-report-${month}.csv"`);
      return reportCsv(await monthlyReport(ctx.store, month));
    },
  );
}
