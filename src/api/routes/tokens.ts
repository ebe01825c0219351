import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';
import { appendAudit } from '../../audit/index.js';
import { createToken, listTokens, ROLES, type Role, revokeToken } from '../../auth/index.js';
import { YojinError } from '../../errors/index.js';
import { StringEnum } from '../schema.js';

const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revoked_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export async function tokenRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(
    '/api/v1/whoami',
    {
      schema: {
        tags: ['auth'],
        summary: 'The caller: token name and role',
        response: { 200: Type.Object({ name: Type.String(), role: Type.String() }) },
      },
    },
    async (req) => ({ name: req.principal!.name, role: req.principal!.role }),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'List API tokens (secrets are never shown)',
        response: { 200: Type.Array(TokenInfo) },
      },
    },
    async () => listTokens(ctx.store),
  );

  app.post<{ Body: { name: string; role: Role } }>(
    '/api/v1/tokens',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['auth'],
        summary: 'Create an API token; the secret is shown once',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), role: StringEnum(ROLES) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ id: Type.String(), token: Type.String() }) },
      },
    },
    async (req, reply) => {
      const t = await createToken(ctx.store, req.body.name, req.body.role);
      await appendAudit(
        ctx.store,
        {
          actor: req.principal!.name,
          action: 'token.create',
          outcome: 'done',
          subject: `token:${t.id}`,
          details: { role: req.body.role, name: req.body.name },
        },
        ctx.clock,
      );
      return reply.status(201).send(t);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/tokens/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['auth'], summary: 'Revoke a token', params: Type.Object({ id: Type.String() }) },
    },
    async (req, reply) => {
      if (!(await revokeToken(ctx.store, req.params.id))) {
        throw new YojinError('NOT_FOUND', `no active token with id ${req.params.id}`);
      }
      await appendAudit(
        ctx.store,
        {
          actor: req.principal!.name,
          action: 'token.revoke',
          outcome: 'done',
          subject: `token:${req.params.id}`,
        },
        ctx.clock,
      );
      return reply.status(204).send();
    },
  );
}
