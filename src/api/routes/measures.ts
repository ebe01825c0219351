import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/index.js';

const MeasureSchema = Type.Object({
  name: Type.String(),
  legal_basis: Type.String(),
  purpose: Type.Object({ en: Type.String(), ja: Type.String() }),
  data: Type.Array(Type.String()),
  retention_days: Type.Integer(),
  enabled: Type.Boolean(),
  default_consent: Type.String(),
  justification: Type.Record(Type.String(), Type.String()),
});

export async function measureRoutes(app: FastifyInstance, ctx: AppContext) {
  app.get(
    '/api/v1/measures',
    {
      schema: {
        tags: ['measures'],
        summary: 'The measures in force, each with its legal basis, the data it may touch and its retention',
        response: { 200: Type.Array(MeasureSchema) },
      },
    },
    async () =>
      ctx.measures.all().map((m) => ({
        name: m.name,
        legal_basis: m.legalBasis,
        purpose: m.purpose,
        data: m.data,
        retention_days: m.retentionDays,
        enabled: m.enabled,
        default_consent: m.defaultConsent,
        justification: m.justification,
      })),
  );
}
