import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { appendAudit } from '../audit/index.js';
import { addPartner, listPartners } from './client/sync.js';
import { type Hub, openHub } from './hub.js';
import {
  addCollection,
  addMember,
  exportCollection,
  featuresFromInput,
  findSimilar,
  syncAll,
} from './operations.js';
import { listCollections, listOrgs } from './orgs.js';
import { taxiiRoutes } from './taxii/routes.js';

const TlpEnum = Type.Unsafe<'clear' | 'green' | 'amber' | 'amber+strict'>({
  type: 'string',
  enum: ['clear', 'green', 'amber', 'amber+strict'],
});

/** The TAXII server under /taxii2/ and the hub's admin API under /api/v1/sharing/. */
export async function sharingRoutes(app: FastifyInstance, ctx: AppContext) {
  let hubPromise: Promise<Hub> | undefined;
  const hub = () => {
    hubPromise ??= openHub(ctx);
    return hubPromise;
  };
  await taxiiRoutes(app, ctx, hub);
  const tags = ['sharing'];

  app.get(
    '/api/v1/sharing/collections',
    { config: { roles: ['analyst', 'operator'] }, schema: { tags, summary: 'TAXII collections' } },
    async () => listCollections(ctx.store),
  );
  app.post<{
    Body: {
      alias: string;
      title?: string;
      description?: string;
      max_tlp?: 'clear' | 'green' | 'amber' | 'amber+strict';
      content?: 'indicators' | 'exchange';
    };
  }>(
    '/api/v1/sharing/collections',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Create or update a collection',
        body: Type.Object(
          {
            alias: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }),
            title: Type.Optional(Type.String({ maxLength: 200 })),
            description: Type.Optional(Type.String({ maxLength: 2000 })),
            max_tlp: Type.Optional(TlpEnum),
            content: Type.Optional(
              Type.Unsafe<'indicators' | 'exchange'>({ type: 'string', enum: ['indicators', 'exchange'] }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => reply.status(201).send(await addCollection(ctx.store, req.body)),
  );
  app.get(
    '/api/v1/sharing/orgs',
    { config: { roles: ['analyst'] }, schema: { tags, summary: 'Member organisations and their rights' } },
    async () => listOrgs(ctx.store),
  );
  app.post<{ Body: { name: string; read?: string[]; write?: string[] } }>(
    '/api/v1/sharing/orgs',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Add a member organisation; its credentials are shown once',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            read: Type.Optional(Type.Array(Type.String())),
            write: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const h = await hub();
      const m = await addMember(h, req.body.name, req.body.read, req.body.write);
      await appendAudit(
        ctx.store,
        {
          actor: req.principal!.name,
          action: 'sharing.org.add',
          outcome: 'done',
          subject: `org:${m.org.name}`,
        },
        ctx.clock,
      );
      return reply.status(201).send({
        name: m.org.name,
        username: m.username,
        secret: m.secret,
        bearer: `${m.username}.${m.secret}`,
      });
    },
  );
  app.get(
    '/api/v1/sharing/partners',
    {
      config: { roles: ['analyst', 'operator'] },
      schema: { tags, summary: 'TAXII partners and their last sync' },
    },
    async () => (await listPartners(await hub())).map(({ password: _p, ...rest }) => rest),
  );
  app.post<{
    Body: {
      name: string;
      api_root: string;
      collection: string;
      direction?: 'pull' | 'push' | 'both';
      username?: string;
      password?: string;
      reliability?: number;
      local_collection?: string;
    };
  }>(
    '/api/v1/sharing/partners',
    {
      config: { roles: ['admin'] },
      schema: {
        tags,
        summary: 'Add or update a partner whose TAXII collection we poll or push to',
        body: Type.Object(
          {
            name: Type.String({ pattern: '^[a-z0-9-]{1,64}$' }),
            api_root: Type.String({ format: 'uri' }),
            collection: Type.String({ minLength: 1 }),
            direction: Type.Optional(
              Type.Unsafe<'pull' | 'push' | 'both'>({ type: 'string', enum: ['pull', 'push', 'both'] }),
            ),
            username: Type.Optional(Type.String()),
            password: Type.Optional(Type.String()),
            reliability: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
            local_collection: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      await addPartner(await hub(), {
        name: b.name,
        api_root: b.api_root,
        collection_id: b.collection,
        direction: b.direction ?? 'pull',
        username: b.username ?? null,
        password: b.password ?? null,
        reliability: b.reliability ?? 0.5,
        local_collection: b.local_collection ?? null,
      });
      return reply.status(201).send({ name: b.name });
    },
  );
  app.post(
    '/api/v1/sharing/sync',
    { config: { roles: ['analyst'] }, schema: { tags, summary: 'Publish, pull and push now' } },
    async () => syncAll(await hub()),
  );
  app.get<{ Querystring: { collection: string } }>(
    '/api/v1/sharing/export',
    {
      config: { roles: ['analyst'] },
      schema: {
        tags,
        summary: 'The STIX bundle a collection serves',
        querystring: Type.Object({ collection: Type.String() }),
      },
    },
    async (req) => exportCollection(await hub(), req.query.collection),
  );
  app.post<{ Body: { indicators?: string[]; families?: string[]; bundle?: unknown; k?: number } }>(
    '/api/v1/sharing/similar',
    {
      config: { roles: ['analyst', 'operator'] },
      schema: {
        tags,
        summary: 'Shared reports most similar to a case (indicators and families, or a STIX bundle)',
        body: Type.Object(
          {
            indicators: Type.Optional(Type.Array(Type.String(), { maxItems: 10000 })),
            families: Type.Optional(Type.Array(Type.String(), { maxItems: 100 })),
            bundle: Type.Optional(Type.Object({}, { additionalProperties: true })),
            k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const b = req.body;
      const text = b.bundle
        ? JSON.stringify(b.bundle)
        : [...(b.indicators ?? []), ...(b.families ?? []).map((f) => `family: ${f}`)].join('\n');
      return { results: await findSimilar(ctx.store, featuresFromInput(text), b.k ?? 10) };
    },
  );
}
