import { type TProperties, Type } from '@sinclair/typebox';

function obj<P extends TProperties>(props: P, description: string) {
  return Type.Object(props, { additionalProperties: false, default: {}, description });
}

/** `[siteowners]`: finding and telling the owners of compromised web sites. */
export const siteownersConfigSchema = obj(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Open site-owner cases for listed URLs on non-IP hosts in the case cycle.',
    }),
    scheme: Type.Union([Type.Literal('https'), Type.Literal('http')], {
      default: 'https',
      description: 'Scheme of the first security.txt fetch (http is always tried as fallback).',
    }),
    https_port: Type.Integer({
      default: 443,
      minimum: 1,
      maximum: 65535,
      description: 'Port of https fetches.',
    }),
    http_port: Type.Integer({
      default: 80,
      minimum: 1,
      maximum: 65535,
      description: 'Port of http fetches.',
    }),
    connect_to: Type.String({
      default: '',
      description:
        'Connect every site fetch to this address instead of resolving the host (exercises/tests: 127.0.0.1).',
    }),
    rdap_default_url: Type.String({
      default: 'https://rdap.org/',
      description: 'RDAP base URL for TLDs without an entry in rdap_base_urls (a bootstrap redirector).',
    }),
    rdap_base_urls: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'RDAP base URL per TLD, e.g. { jp = "https://jprs-rdap.example/rdap/" } (file only).',
    }),
    recheck_hours: Type.Number({
      default: 24,
      minimum: 0,
      description: 'Hours between re-checks of a reported URL (delisted when it is gone).',
    }),
    timeout_ms: Type.Integer({ default: 10000, minimum: 100, description: 'Timeout of one fetch.' }),
    reporter: Type.String({
      default: '',
      description: 'Reported-From of X-ARF reports (empty: the smtp.from address).',
    }),
  },
  'Compromised-site owner notices (security.txt, RDAP, X-ARF).',
);
