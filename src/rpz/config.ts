import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

const hostPortPattern = '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$';

/** `[rpz]`: the RPZ zone yojin publishes (export and the authoritative primary in src/rpz). */
export const rpzConfigSchema = section(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Run the RPZ primary (AXFR/IXFR/NOTIFY) in `yojin serve`.',
    }),
    zone: Type.String({
      default: 'rpz.yojin.local',
      pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?$',
      description: 'Name of the RPZ zone (written as $ORIGIN; the zone name resolvers are configured with).',
    }),
    listen: Type.String({
      default: '127.0.0.1:5354',
      pattern: hostPortPattern,
      description: 'TCP (AXFR/IXFR, SOA) and UDP (SOA, NOTIFY acks) address of the RPZ primary.',
    }),
    ttl: Type.Integer({
      default: 300,
      minimum: 0,
      description:
        'TTL (seconds) of the policy records in the zone (resolvers use it for rewritten answers).',
    }),
    soa_refresh: Type.Integer({ default: 300, minimum: 1, description: 'SOA refresh (seconds).' }),
    soa_retry: Type.Integer({ default: 60, minimum: 1, description: 'SOA retry (seconds).' }),
    soa_expire: Type.Integer({ default: 604800, minimum: 1, description: 'SOA expire (seconds).' }),
    soa_minimum: Type.Integer({
      default: 60,
      minimum: 0,
      description: 'SOA minimum / negative-caching TTL (seconds).',
    }),
    ns: Type.String({
      default: 'localhost',
      description:
        'Name server named by the apex NS and SOA MNAME records (RPZ zones need one; it is never queried).',
    }),
    contact: Type.String({
      default: 'hostmaster.yojin.local',
      description: 'SOA RNAME: the mailbox responsible for the zone, in DNS form (hostmaster.example.jp).',
    }),
    warning_host: Type.String({
      default: 'warning.yojin.local',
      description:
        "Host name of the warning page: 'warn' entries become `CNAME <warning_host>` when warning_addresses is empty.",
    }),
    warning_addresses: Type.Array(Type.String(), {
      default: ['127.0.0.1', '::1'],
      description:
        "Addresses of the warning page: 'warn' entries become A/AAAA local data with these addresses.",
    }),
    notify: Type.Array(Type.String({ pattern: hostPortPattern }), {
      default: [],
      description:
        'Secondaries (HOST:PORT) sent a DNS NOTIFY when the serial moves; retried until they answer.',
    }),
    notify_retry_ms: Type.Integer({
      default: 2000,
      minimum: 50,
      description: 'Wait between NOTIFY attempts to a secondary that has not answered.',
    }),
    notify_attempts: Type.Integer({
      default: 10,
      minimum: 1,
      description:
        'NOTIFY attempts per secondary and serial before giving up (the SOA refresh still applies).',
    }),
    poll_ms: Type.Integer({
      default: 2000,
      minimum: 50,
      description: 'How often the change-log serial is checked for changes to publish.',
    }),
    allow_transfer: Type.Array(Type.String(), {
      default: ['127.0.0.1/32', '::1/128'],
      description:
        'Client networks (CIDR) allowed to AXFR/IXFR the zone. SOA queries are answered to anyone.',
    }),
    tsig_key_name: Type.String({
      default: '',
      description:
        'TSIG key name (RFC 8945). When set, transfers must be signed with this key; NOTIFY is signed too.',
    }),
    tsig_algorithm: Type.Union([Type.Literal('hmac-sha256')], {
      default: 'hmac-sha256',
      description: 'TSIG algorithm (hmac-sha256).',
    }),
    tsig_secret: Type.String({
      default: '',
      description: 'TSIG shared secret, base64 (as in BIND `key` statements; `tsig-keygen` prints one).',
    }),
    tsig_fudge: Type.Integer({
      default: 300,
      minimum: 1,
      description: 'Allowed clock difference (seconds) for TSIG-signed requests.',
    }),
    journal_max_changes: Type.Integer({
      default: 1000000,
      minimum: 0,
      description:
        'Records of IXFR history kept in memory; older deltas are dropped (clients then get a full transfer).',
    }),
  },
  'RPZ publication: the policy as a Response Policy Zone, exported or served to resolvers by zone transfer.',
);
