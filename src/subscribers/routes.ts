import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app/index.js';
import { YojinError } from '../errors/index.js';
import { setConsent } from './consent.js';
import { checkSubscriber, importSubscribers, type SubscriberInput, subscribersFromCsv } from './import.js';
import { viewSubscriber } from './view.js';

const ImportReport = Type.Object({
  imported: Type.Integer(),
  consentsChanged: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() })),
  errorCount: Type.Integer(),
});

export async function subscriberRoutes(app: FastifyInstance, ctx: AppContext) {
  await app.register(async (scope) => {
    // CSV uploads from the customer system; JSON keeps Fastify's own parser.
    scope.addContentTypeParser(
      'text/csv',
      { parseAs: 'string', bodyLimit: ctx.config.http.upload_limit_bytes },
      (_req, body, done) => done(null, body),
    );

    scope.post<{ Body: string | SubscriberInput[] | { subscribers: SubscriberInput[] } }>(
      '/api/v1/subscribers',
      {
        config: { roles: ['operator'] },
        schema: {
          tags: ['subscribers'],
          summary: 'Import subscribers: text/csv (as `yojin subscribers import`) or a JSON array',
          description:
            'CSV columns: id,email,language[,name,postal_address,phone][,consent:MEASURE…] (yes/no/blank). JSON: [{id,email,language,contact,consents:{measure:bool}}]. Lines or items that cannot be used are reported; the rest is imported.',
          response: { 200: ImportReport },
        },
      },
      async (req) => {
        const actor = req.principal!.name;
        if (typeof req.body === 'string')
          return importSubscribers(ctx, subscribersFromCsv(ctx, { text: req.body }), { actor, via: 'api' });
        const list = Array.isArray(req.body) ? req.body : req.body?.subscribers;
        if (!Array.isArray(list))
          throw new YojinError(
            'REQUEST_INVALID',
            'send a JSON array of subscribers (or {"subscribers": [...]}) or text/csv',
          );
        const records = list.map((s, i) => {
          const item = i + 1;
          if (!s || typeof s !== 'object') return { line: item, error: `item ${item} is not an object` };
          const checked = checkSubscriber(ctx, s);
          return typeof checked === 'string'
            ? { line: item, error: `item ${item}: ${checked}` }
            : { line: item, sub: checked };
        });
        return importSubscribers(ctx, records, { actor, via: 'api' });
      },
    );
  });

  const ViewQuery = Type.Object({ measure: Type.Optional(Type.String()) });
  app.get<{ Params: { id: string }; Querystring: Static<typeof ViewQuery> }>(
    '/api/v1/subscribers/:id',
    {
      config: { roles: ['operator'] },
      schema: {
        tags: ['subscribers'],
        summary: "A subscriber's contact data and consents — protected: needs ?measure=, audited",
        params: Type.Object({ id: Type.String() }),
        querystring: ViewQuery,
      },
    },
    async (req) =>
      viewSubscriber(ctx, req.params.id, { measure: req.query.measure, actor: req.principal!.name }),
  );

  app.put<{ Params: { id: string; measure: string }; Body: { granted: boolean } }>(
    '/api/v1/subscribers/:id/consents/:measure',
    {
      config: { roles: ['operator'] },
      schema: {
        tags: ['subscribers'],
        summary: "Record a subscriber's consent choice for a consent-based measure (reaches the DNS policy)",
        params: Type.Object({ id: Type.String(), measure: Type.String() }),
        body: Type.Object({ granted: Type.Boolean() }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            subscriber: Type.String(),
            measure: Type.String(),
            granted: Type.Boolean(),
            changed: Type.Boolean(),
          }),
        },
      },
    },
    async (req) => {
      const r = await setConsent(
        ctx,
        req.params.id,
        req.params.measure,
        req.body.granted,
        `api:${req.principal!.name}`,
      );
      return {
        subscriber: req.params.id,
        measure: req.params.measure,
        granted: req.body.granted,
        changed: r.changed,
      };
    },
  );
}
