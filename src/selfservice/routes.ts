import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { isYojinError } from '../errors/index.js';
import { errorPage, selfServicePage } from './page.js';
import { selfServiceConsent, selfServiceFixed, viewSelfService } from './service.js';

const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 2000 }) });
const LangQuery = Type.Object({
  lang: Type.Optional(Type.Union([Type.Literal('ja'), Type.Literal('en')])),
  done: Type.Optional(Type.String()),
});
const ConsentForm = Type.Object({
  measure: Type.String(),
  granted: Type.Union([Type.Literal('true'), Type.Literal('false')]),
});
const ConsentBody = Type.Object({ granted: Type.Boolean() }, { additionalProperties: false });

/**
 * The self-service page (/self-service/TOKEN, public: the signed link is the credential) and the same
 * through JSON for the ISP's own portal (/api/v1/self-service/TOKEN).
 */
export async function selfServiceRoutes(app: FastifyInstance, ctx: AppContext) {
  await app.register(async (sub) => {
    // HTML forms post urlencoded bodies; the parser is scoped to these routes.
    sub.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    const html = async (reply: import('fastify').FastifyReply, fn: () => Promise<string>) => {
      reply
        .header('cache-control', 'no-store')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer');
      try {
        return reply.type('text/html; charset=utf-8').send(await fn());
      } catch (err) {
        if (isYojinError(err) && err.status < 500)
          return reply.code(err.status).type('text/html; charset=utf-8').send(errorPage(err.message));
        throw err;
      }
    };
    sub.get<{ Params: { token: string }; Querystring: { lang?: 'ja' | 'en'; done?: string } }>(
      '/self-service/:token',
      { config: { public: true }, schema: { hide: true, params: TokenParams, querystring: LangQuery } },
      (req, reply) =>
        html(reply, async () =>
          selfServicePage(
            await viewSelfService(ctx, req.params.token, req.query.lang),
            req.params.token,
            req.query.done,
          ),
        ),
    );
    sub.post<{ Params: { token: string }; Querystring: { lang?: 'ja' | 'en' } }>(
      '/self-service/:token/fixed',
      { config: { public: true }, schema: { hide: true, params: TokenParams, querystring: LangQuery } },
      async (req, reply) => {
        try {
          await selfServiceFixed(ctx, req.params.token);
        } catch (err) {
          if (!isYojinError(err) || err.status >= 500) throw err;
          return html(reply, async () => errorPage(err.message));
        }
        return reply.redirect(
          `/self-service/${encodeURIComponent(req.params.token)}?lang=${req.query.lang ?? 'ja'}&done=fixed`,
          303,
        );
      },
    );
    sub.post<{
      Params: { token: string };
      Querystring: { lang?: 'ja' | 'en' };
      Body: { measure: string; granted: 'true' | 'false' };
    }>(
      '/self-service/:token/consent',
      {
        config: { public: true },
        schema: { hide: true, params: TokenParams, querystring: LangQuery, body: ConsentForm },
      },
      async (req, reply) => {
        try {
          await selfServiceConsent(ctx, req.params.token, req.body.measure, req.body.granted === 'true');
        } catch (err) {
          if (!isYojinError(err) || err.status >= 500) throw err;
          return html(reply, async () => errorPage(err.message));
        }
        return reply.redirect(
          `/self-service/${encodeURIComponent(req.params.token)}?lang=${req.query.lang ?? 'ja'}&done=consent`,
          303,
        );
      },
    );
  });

  app.get<{ Params: { token: string }; Querystring: { lang?: 'ja' | 'en' } }>(
    '/api/v1/self-service/:token',
    {
      config: { public: true },
      schema: {
        tags: ['self-service'],
        summary: "A subscriber's case, notice and consents, by the signed link (for the ISP's portal)",
        params: TokenParams,
        querystring: LangQuery,
        security: [],
      },
    },
    async (req) => viewSelfService(ctx, req.params.token, req.query.lang),
  );
  app.post<{ Params: { token: string } }>(
    '/api/v1/self-service/:token/fixed',
    {
      config: { public: true },
      schema: {
        tags: ['self-service'],
        summary: '"I fixed it": starts watching the case',
        params: TokenParams,
        security: [],
      },
    },
    async (req) => {
      const c = await selfServiceFixed(ctx, req.params.token);
      return { id: c.id, state: c.state, fixed_at: c.fixed_at, next_action_at: c.next_action_at };
    },
  );
  app.put<{ Params: { token: string; measure: string }; Body: { granted: boolean } }>(
    '/api/v1/self-service/:token/consents/:measure',
    {
      config: { public: true },
      schema: {
        tags: ['self-service'],
        summary: 'Opt out of / back into a consent-based measure',
        params: Type.Object({
          token: Type.String({ minLength: 10, maxLength: 2000 }),
          measure: Type.String(),
        }),
        body: ConsentBody,
        security: [],
      },
    },
    async (req) => ({
      measure: req.params.measure,
      granted: req.body.granted,
      ...(await selfServiceConsent(ctx, req.params.token, req.params.measure, req.body.granted)),
    }),
  );
}
