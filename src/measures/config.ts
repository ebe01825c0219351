import { Type } from '@sinclair/typebox';
import { DATA_CATEGORIES, LEGAL_BASES } from './types.js';

/** `[measures.NAME]` in the config file: override any field of a built-in measure, or define a new one. */
export const measureOverrideSchema = Type.Object(
  {
    legal_basis: Type.Optional(Type.Union(LEGAL_BASES.map((b) => Type.Literal(b)))),
    purpose_en: Type.Optional(Type.String({ minLength: 1 })),
    purpose_ja: Type.Optional(Type.String({ minLength: 1 })),
    data: Type.Optional(Type.Array(Type.Union(DATA_CATEGORIES.map((d) => Type.Literal(d))))),
    retention_days: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
    enabled: Type.Optional(Type.Boolean()),
    default_consent: Type.Optional(
      Type.Union([Type.Literal('opt-out'), Type.Literal('opt-in'), Type.Literal('not-applicable')]),
    ),
    justification: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);
