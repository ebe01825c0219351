import { type TProperties, Type } from '@sinclair/typebox';

function obj<P extends TProperties>(props: P, description: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}

/** `[selfservice]`: the signed links in notices and the page they open. */
export const selfserviceConfigSchema = obj(
  {
    secret: Type.String({
      default: '',
      description:
        'HMAC key of self-service links; empty: a random key generated once and kept in the store.',
    }),
    link_days: Type.Number({ default: 60, minimum: 1, description: 'Days a self-service link stays valid.' }),
    base_url: Type.String({
      default: '',
      description:
        'Base URL of the self-service page in links (empty: http.public_url, else http://http.listen).',
    }),
  },
  'Subscriber self-service page and API (links in notices).',
);
