import { Type } from '@sinclair/typebox';
import { section } from '../config/section.js';

const hostPortPattern = '^(\\[[0-9a-fA-F:.]+\\]|[^:\\s]+):[0-9]{1,5}$';

export const DNS_ACTIONS = ['warn', 'nxdomain', 'nodata', 'passthru', 'drop'] as const;

const action = Type.Union(
  DNS_ACTIONS.map((a) => Type.Literal(a)),
  { description: 'warn | nxdomain | nodata | passthru | drop' },
);

/** `[dns]`: the policy DNS resolver (src/dns) and the action mapping of the policy model (src/policy). */
export const dnsConfigSchema = section(
  {
    enabled: Type.Boolean({ default: true, description: 'Run the policy DNS resolver in `yojin serve`.' }),
    listen: Type.String({
      default: '127.0.0.1:5353',
      pattern: hostPortPattern,
      description: 'UDP and TCP address of the policy DNS resolver.',
    }),
    upstreams: Type.Array(Type.String({ pattern: hostPortPattern }), {
      default: [],
      description:
        'Upstream resolvers (HOST:PORT), tried in order with failover. Empty: only policy answers; everything else gets SERVFAIL.',
    }),
    upstream_timeout_ms: Type.Integer({
      default: 2000,
      minimum: 50,
      maximum: 30000,
      description: 'How long to wait for one upstream before trying the next.',
    }),
    tcp_idle_timeout_ms: Type.Integer({
      default: 10000,
      minimum: 100,
      description: 'A client TCP connection with no query for this long is closed.',
    }),
    cache_size: Type.Integer({
      default: 10000,
      minimum: 0,
      description: 'Most answers kept in the cache (0 disables caching).',
    }),
    cache_max_ttl: Type.Integer({
      default: 86400,
      minimum: 0,
      description: 'Upper bound (seconds) on how long an answer is cached.',
    }),
    warning_address_v4: Type.String({
      default: '127.0.0.1',
      description: "IPv4 address of the warning page, answered for 'warn' (A queries).",
    }),
    warning_address_v6: Type.String({
      default: '::1',
      description: "IPv6 address of the warning page, answered for 'warn' (AAAA queries).",
    }),
    warning_url: Type.String({
      default: 'http://127.0.0.1:8081/',
      description: 'URL of the warning page, quoted in the Extended DNS Error text ("see <url>").',
    }),
    warn_ttl: Type.Integer({
      default: 60,
      minimum: 0,
      description: 'TTL (seconds) of policy answers, short so lifting a listing takes effect quickly.',
    }),
    actions: Type.Record(Type.String({ pattern: '^[a-z0-9-]+$' }), action, {
      default: { 'warn-malicious-site': 'warn', 'block-c2': 'nxdomain' },
      description:
        'Action per measure (warn-malicious-site, block-c2) or per indicator category (e.g. phishing); a category entry wins over its measure.',
    }),
    unknown_client_consent: Type.Boolean({
      default: true,
      description:
        'Whether clients whose address maps to no current subscriber assignment get the policy (true) or the real answers (false).',
    }),
    refresh_interval_s: Type.Integer({
      default: 5,
      minimum: 1,
      description:
        'How often (seconds) the change-log serial is polled to hot-swap the policy and consent snapshot.',
    }),
    consent_refresh_interval_s: Type.Integer({
      default: 60,
      minimum: 1,
      description:
        'How often (seconds) the snapshot of current assignments and consent choices is reloaded (each load is audited once).',
    }),
    walled_garden_exempt: Type.Array(Type.String({ pattern: '^[A-Za-z0-9.-]+$' }), {
      default: [],
      description:
        'Names (with their subdomains) that clients in the walled garden still resolve: removal help, OS and antivirus updates. The hosts of cases.walled_garden_url, selfservice.base_url and http.public_url are added.',
    }),
    edns_contact: Type.String({
      default: '',
      description: 'Contact URI(s) for the structured DNS error (field "c"), e.g. mailto:abuse@example.jp.',
    }),
    edns_organisation: Type.String({
      default: '',
      description: 'Organisation named in the structured DNS error (field "o").',
    }),
    edns_language: Type.String({
      default: 'ja',
      description: 'Language tag of the structured DNS error text (field "l").',
    }),
  },
  'The policy DNS resolver (`yojin serve` / `yojin dns`).',
);
