import { type TProperties, Type } from '@sinclair/typebox';

function obj<P extends TProperties>(props: P, description: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}
const days = (def: number, description: string) => Type.Number({ default: def, minimum: 0, description });

/** `[cases]`: the escalation schedule of subscriber cases (docs/cases.md). */
export const casesConfigSchema = obj(
  {
    schedule: Type.String({
      default: '*/5 * * * *',
      description: 'Cron schedule of the case cycle in `yojin serve` (attribute, open/advance cases, send).',
    }),
    observe_days: days(7, 'Days of observation after the first notice before a reminder is considered.'),
    final_after_days: days(7, 'Days after the reminder before the final notice is considered.'),
    walled_garden: Type.Boolean({
      default: false,
      description:
        'After the final notice, put a subscriber whose evidence continues into the walled garden (needs the walled-garden measure enabled).',
    }),
    walled_garden_after_days: days(7, 'Days after the final notice before the walled garden is considered.'),
    walled_garden_url: Type.String({
      default: '',
      description: 'Where the walled garden sends web access (empty: the self-service page base URL).',
    }),
    resolve_after_days: days(14, 'A case is resolved after this many days without new evidence.'),
    watch_days: days(3, 'Observation window after the subscriber says "I fixed it".'),
    channels: Type.Array(
      Type.Union([Type.Literal('email'), Type.Literal('webhook'), Type.Literal('postal')]),
      {
        default: ['email'],
        description: 'Channels each notice goes out on (email needs contact.email, postal contact.postal).',
      },
    ),
    batch: Type.Integer({
      default: 5000,
      minimum: 1,
      description: 'Evidence rows / cases handled per transaction in one cycle step.',
    }),
  },
  'Cases: one per subscriber and measure, with staged notices.',
);
